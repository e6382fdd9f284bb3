CREATE TABLE "slack_requests_seen" (
	"signature" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_views" (
	"view_id" text PRIMARY KEY NOT NULL,
	"slack_team_id" text NOT NULL,
	"user_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"kind" text NOT NULL,
	"project_id" bigint,
	"opened_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slack_views" ADD CONSTRAINT "slack_views_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "slack_requests_seen_expires_at" ON "slack_requests_seen" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "slack_views_opened_at" ON "slack_views" USING btree ("opened_at");