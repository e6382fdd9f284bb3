CREATE TABLE "flow_case_status" (
	"case_id" bigint NOT NULL,
	"status_name" text NOT NULL,
	"status_type" text,
	"project_id" bigint NOT NULL,
	"seconds" double precision NOT NULL,
	"first_entered_at" timestamp with time zone NOT NULL,
	"last_exited_at" timestamp with time zone,
	"is_current" boolean NOT NULL,
	"estimated" boolean NOT NULL,
	"case_finished_at" timestamp with time zone,
	CONSTRAINT "flow_case_status_case_id_status_name_pk" PRIMARY KEY("case_id","status_name")
);
--> statement-breakpoint
CREATE TABLE "flow_cases" (
	"case_id" bigint PRIMARY KEY NOT NULL,
	"project_id" bigint NOT NULL,
	"binding_id" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"current_status" text NOT NULL,
	"current_type" text,
	"current_since" timestamp with time zone NOT NULL,
	"current_stage" "flow_stage" NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"active_seconds" double precision DEFAULT 0 NOT NULL,
	"blocked_seconds" double precision DEFAULT 0 NOT NULL,
	"estimated" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flow_case_status" ADD CONSTRAINT "flow_case_status_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flow_cases" ADD CONSTRAINT "flow_cases_case_id_tracked_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."tracked_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flow_case_status_project_finished" ON "flow_case_status" USING btree ("project_id","case_finished_at");--> statement-breakpoint
CREATE INDEX "flow_cases_project_finished" ON "flow_cases" USING btree ("project_id","finished_at");--> statement-breakpoint
CREATE INDEX "flow_cases_project_wip" ON "flow_cases" USING btree ("project_id","started_at") WHERE finished_at is null and started_at is not null;