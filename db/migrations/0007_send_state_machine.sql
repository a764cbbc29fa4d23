ALTER TYPE "public"."message_status" ADD VALUE 'sending';--> statement-breakpoint
ALTER TYPE "public"."message_status" ADD VALUE 'unconfirmed';--> statement-breakpoint
ALTER TYPE "public"."outbox_status" ADD VALUE 'sending';--> statement-breakpoint
ALTER TYPE "public"."outbox_status" ADD VALUE 'withdrawn';--> statement-breakpoint
ALTER TYPE "public"."outbox_status" ADD VALUE 'unconfirmed';--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "send_note" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "attempt_id" uuid;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "attempt_started_at" timestamp with time zone;