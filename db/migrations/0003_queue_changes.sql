CREATE TABLE "queue_changes" (
	"txid" bigint PRIMARY KEY NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
