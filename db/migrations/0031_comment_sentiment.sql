ALTER TABLE "comment_sentiment" ADD COLUMN "author_id" bigint;--> statement-breakpoint
ALTER TABLE "comment_sentiment" ADD COLUMN "version_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "comment_sentiment_case_time" ON "comment_sentiment" USING btree ("case_id","commented_at" DESC NULLS LAST);