CREATE TYPE "public"."wip_limit_target" AS ENUM('status', 'stage');--> statement-breakpoint
CREATE TABLE "wip_alert_settings" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"alert_at_once" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wip_limits" (
	"project_id" bigint NOT NULL,
	"target_kind" "wip_limit_target" NOT NULL,
	"target" text NOT NULL,
	"wip_limit" integer NOT NULL,
	"fired" boolean DEFAULT false NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wip_limits_project_id_target_kind_target_pk" PRIMARY KEY("project_id","target_kind","target"),
	CONSTRAINT "wip_limits_whole" CHECK ("wip_limits"."wip_limit" >= 0),
	CONSTRAINT "wip_limits_stage" CHECK ("wip_limits"."target_kind" <> 'stage' or "wip_limits"."target" in ('not_started', 'active', 'blocked'))
);
--> statement-breakpoint
ALTER TABLE "wip_alert_settings" ADD CONSTRAINT "wip_alert_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wip_limits" ADD CONSTRAINT "wip_limits_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;