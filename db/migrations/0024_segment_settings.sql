CREATE TYPE "public"."segment_dimension" AS ENUM('none', 'type', 'priority', 'tag_group', 'drop_down', 'labels', 'list');--> statement-breakpoint
CREATE TABLE "segment_settings" (
	"project_id" bigint PRIMARY KEY NOT NULL,
	"dimension" "segment_dimension" DEFAULT 'none' NOT NULL,
	"tag_group_name" text,
	"tag_group_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"field_id" text,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "segment_settings_shape" CHECK (("segment_settings"."dimension" <> 'tag_group' or ("segment_settings"."tag_group_name" is not null and cardinality("segment_settings"."tag_group_tags") > 0))
        and ("segment_settings"."dimension" not in ('drop_down', 'labels') or "segment_settings"."field_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "segment_settings" ADD CONSTRAINT "segment_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;