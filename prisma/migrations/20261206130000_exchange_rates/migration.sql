-- Dated exchange rates, quoted as units of currency per one unit of base_currency (the ECB's way: USD per 1 EUR).
-- base_currency is kept so that changing BASE_CURRENCY never reads rates quoted against another base.
CREATE TABLE "exchange_rates" (
    "base_currency" CHAR(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "rate_date" DATE NOT NULL,
    "rate" DECIMAL(30,10) NOT NULL,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "exchange_rates_pkey" PRIMARY KEY ("base_currency","currency","rate_date"),
    CONSTRAINT "exchange_rates_rate_positive" CHECK ("rate" > 0)
);
