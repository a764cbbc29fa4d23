CREATE TABLE "replies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid,
	"source" text NOT NULL,
	"message_id" text,
	"from_email" text NOT NULL,
	"subject" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"raw" "bytea" NOT NULL,
	"raw_truncated" boolean DEFAULT false NOT NULL,
	"visible_text" text NOT NULL,
	"kind" text NOT NULL,
	"confidence" real NOT NULL,
	"evidence" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"classifier" text NOT NULL,
	"match_quality" text NOT NULL,
	"known_sender" boolean NOT NULL,
	"action" jsonb NOT NULL,
	"status" text NOT NULL,
	"hold_until" timestamp with time zone,
	"paused_account" boolean DEFAULT false NOT NULL,
	"answer_text" text,
	"outcome" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reply_tokens" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reply_tokens_token_unique" UNIQUE("token")
);
--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reply_tokens" ADD CONSTRAINT "reply_tokens_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "replies_message_id_key" ON "replies" USING btree ("message_id") WHERE "replies"."message_id" is not null;--> statement-breakpoint
CREATE INDEX "replies_account_idx" ON "replies" USING btree ("account_id","received_at");--> statement-breakpoint
CREATE INDEX "replies_status_idx" ON "replies" USING btree ("status","hold_until");