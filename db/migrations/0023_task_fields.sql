CREATE TYPE "public"."task_priority" AS ENUM('urgent', 'high', 'normal', 'low');--> statement-breakpoint
CREATE TABLE "custom_field_definitions" (
	"binding_id" bigint NOT NULL,
	"field_id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"options" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "custom_field_definitions_binding_id_field_id_pk" PRIMARY KEY("binding_id","field_id")
);
--> statement-breakpoint
CREATE TABLE "custom_task_types" (
	"connection_id" bigint NOT NULL,
	"type_id" integer NOT NULL,
	"name" text NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "custom_task_types_connection_id_type_id_pk" PRIMARY KEY("connection_id","type_id")
);
--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "priority" "task_priority";--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "task_type_id" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "field_values" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "waiting_on" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tracked_cases" ADD COLUMN "last_activity_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "custom_field_definitions" ADD CONSTRAINT "custom_field_definitions_binding_id_bindings_id_fk" FOREIGN KEY ("binding_id") REFERENCES "public"."bindings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "custom_task_types" ADD CONSTRAINT "custom_task_types_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tracked_cases_tags" ON "tracked_cases" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "tracked_cases_field_values" ON "tracked_cases" USING gin ("field_values" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "tracked_cases_waiting_on" ON "tracked_cases" USING gin ("waiting_on") WHERE waiting_on <> '{}';