CREATE TABLE "tracked_forecasts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"set_text" text NOT NULL,
	"set_key" text NOT NULL,
	"set_label" text NOT NULL,
	"target_date" date NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_chance" double precision,
	"last_open" integer,
	"last_run_at" timestamp with time zone,
	"alerted_band" smallint DEFAULT 100 NOT NULL,
	CONSTRAINT "tracked_forecasts_band" CHECK ("tracked_forecasts"."alerted_band" in (100, 85, 70, 50))
);
--> statement-breakpoint
ALTER TABLE "tracked_forecasts" ADD CONSTRAINT "tracked_forecasts_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tracked_forecasts_set" ON "tracked_forecasts" USING btree ("project_id","set_key");