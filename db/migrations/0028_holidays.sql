CREATE TABLE "holiday_settings" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"country" text,
	"region" text,
	"blackouts" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "project_holidays" (
	"project_id" bigint NOT NULL,
	"day" date NOT NULL,
	CONSTRAINT "project_holidays_project_id_day_pk" PRIMARY KEY("project_id","day"),
	CONSTRAINT "project_holidays_weekday" CHECK (extract(isodow from "project_holidays"."day") <= 5)
);
--> statement-breakpoint
ALTER TABLE "holiday_settings" ADD CONSTRAINT "holiday_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_holidays" ADD CONSTRAINT "project_holidays_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;