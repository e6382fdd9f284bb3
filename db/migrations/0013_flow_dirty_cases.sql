CREATE TABLE "flow_dirty_cases" (
	"case_id" bigint PRIMARY KEY NOT NULL
);
