-- Late-payment interest: the published reference rates the statutory rules follow, the
-- customer's rule and contractual rate, and managers' waivers. The shipped history is listed with
-- its sources in the README ("Late-payment interest"), and kept current with
-- `arrears import reference-rates` or POST /api/v1/reference-rates.
CREATE TABLE "reference_rates" (
    "source" TEXT NOT NULL,
    "effective_on" DATE NOT NULL,
    "rate_bp" INTEGER NOT NULL,
    "fixed_sum_minor" BIGINT,
    "fixed_sum_currency" CHAR(3),
    "origin" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reference_rates_pkey" PRIMARY KEY ("source","effective_on"),
    CONSTRAINT "reference_rates_fixed_sum_pair" CHECK (("fixed_sum_minor" IS NULL) = ("fixed_sum_currency" IS NULL)),
    CONSTRAINT "reference_rates_fixed_sum_positive" CHECK ("fixed_sum_minor" IS NULL OR "fixed_sum_minor" >= 0)
);

CREATE TABLE "interest_waivers" (
    "invoice_id" UUID NOT NULL,
    "waived_by" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "waived_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "interest_waivers_pkey" PRIMARY KEY ("invoice_id")
);

ALTER TABLE "interest_waivers" ADD CONSTRAINT "interest_waivers_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "customers" ADD COLUMN "interest_rule" TEXT,
ADD COLUMN "interest_contract_rate_bp" INTEGER;

INSERT INTO "reference_rates" ("source", "effective_on", "rate_bp", "fixed_sum_minor", "fixed_sum_currency", "origin", "updated_at") VALUES
    ('boe-bank-rate', '2009-03-05'::date, 50, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2016-08-04'::date, 25, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2017-11-02'::date, 50, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2018-08-02'::date, 75, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2020-03-11'::date, 25, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2020-03-19'::date, 10, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2021-12-16'::date, 25, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-02-03'::date, 50, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-03-17'::date, 75, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-05-05'::date, 100, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-06-16'::date, 125, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-08-04'::date, 175, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-09-22'::date, 225, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-11-03'::date, 300, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2022-12-15'::date, 350, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2023-02-02'::date, 400, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2023-03-23'::date, 425, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2023-05-11'::date, 450, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2023-06-22'::date, 500, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2023-08-03'::date, 525, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2024-08-01'::date, 500, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2024-11-07'::date, 475, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2025-02-06'::date, 450, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2025-05-08'::date, 425, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2025-08-07'::date, 400, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('boe-bank-rate', '2025-12-18'::date, 375, NULL, NULL, 'Bank of England, Bank Rate history (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2016-03-16'::date, 0, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2022-07-27'::date, 50, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2022-09-14'::date, 125, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2022-11-02'::date, 200, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2022-12-21'::date, 250, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-02-08'::date, 300, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-03-22'::date, 350, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-05-10'::date, 375, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-06-21'::date, 400, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-08-02'::date, 425, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2023-09-20'::date, 450, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2024-06-12'::date, 425, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2024-09-18'::date, 365, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2024-10-23'::date, 340, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2024-12-18'::date, 315, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2025-02-05'::date, 290, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2025-03-12'::date, 265, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2025-04-23'::date, 240, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2025-06-11'::date, 215, NULL, NULL, 'ECB key interest rates, main refinancing operations (shipped)', CURRENT_TIMESTAMP),
    ('ecb-mro', '2025-07-01'::date, 215, NULL, NULL, 'restated: unchanged since 2025-06-11 (shipped)', CURRENT_TIMESTAMP),
    ('nbr-reference', '2023-01-11'::date, 700, NULL, NULL, 'BNR circulars on the reference rate (shipped)', CURRENT_TIMESTAMP),
    ('nbr-reference', '2024-07-08'::date, 675, NULL, NULL, 'BNR circulars on the reference rate (shipped)', CURRENT_TIMESTAMP),
    ('nbr-reference', '2024-08-08'::date, 650, NULL, NULL, 'BNR circulars on the reference rate (shipped)', CURRENT_TIMESTAMP),
    ('nbr-reference', '2025-01-01'::date, 650, NULL, NULL, 'restated: unchanged since 2024-08-08 (shipped)', CURRENT_TIMESTAMP),
    ('nbr-reference', '2025-07-01'::date, 650, NULL, NULL, 'restated: unchanged since 2024-08-08 (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2013-01-01'::date, 1500, 9500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2014-01-01'::date, 1275, 12000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2015-01-01'::date, 1150, 12000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2016-01-01'::date, 1150, 13000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2017-01-01'::date, 1075, 15000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2018-01-01'::date, 1075, 18500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2019-01-01'::date, 2125, 24500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2020-01-01'::date, 1500, 26000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2021-01-01'::date, 1825, 38500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2022-01-01'::date, 1725, 55500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2023-01-01'::date, 1175, 80000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2024-01-01'::date, 4800, 131000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2025-01-01'::date, 5325, 147500, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP),
    ('tcmb-ttk-1530', '2026-01-01'::date, 4300, 202000, 'TRY', 'TCMB tebliği under TTK 1530(7), Resmî Gazete (shipped)', CURRENT_TIMESTAMP);
