CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text,
	"sha256" text NOT NULL,
	"shape" text NOT NULL,
	"as_of" date,
	"content" "bytea" NOT NULL,
	"report" jsonb NOT NULL,
	"actor_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "currency" char(3) DEFAULT 'USD' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "currency" char(3) DEFAULT 'USD' NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "dated" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "basis" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "import_id" uuid;--> statement-breakpoint
CREATE INDEX "imports_as_of_idx" ON "imports" USING btree ("as_of");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
UPDATE "invoices" i SET "currency" = a."currency" FROM "accounts" a WHERE a."id" = i."account_id" AND i."currency" <> a."currency";--> statement-breakpoint
UPDATE "payments" p SET "currency" = a."currency" FROM "accounts" a WHERE a."id" = p."account_id" AND p."currency" <> a."currency";--> statement-breakpoint
-- An account has one currency: every invoice and payment takes its account's, whatever the writer sent.
CREATE FUNCTION tactful_money_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT a.currency INTO NEW.currency FROM accounts a WHERE a.id = NEW.account_id;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER invoices_currency BEFORE INSERT OR UPDATE OF account_id, currency ON invoices FOR EACH ROW EXECUTE FUNCTION tactful_money_currency();--> statement-breakpoint
CREATE TRIGGER payments_currency BEFORE INSERT OR UPDATE OF account_id, currency ON payments FOR EACH ROW EXECUTE FUNCTION tactful_money_currency();--> statement-breakpoint
-- Changing the currency of an account that already holds money in another one would relabel it.
CREATE FUNCTION tactful_account_currency_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.currency <> OLD.currency AND (EXISTS (SELECT 1 FROM invoices WHERE account_id = NEW.id) OR EXISTS (SELECT 1 FROM payments WHERE account_id = NEW.id)) THEN
    RAISE EXCEPTION 'account % holds money in %; its currency cannot become %', NEW.name, OLD.currency, NEW.currency USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER accounts_currency_fixed BEFORE UPDATE OF currency ON accounts FOR EACH ROW EXECUTE FUNCTION tactful_account_currency_fixed();
