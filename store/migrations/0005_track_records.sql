-- The forecasts' track record: the summary of each forecast backtest
-- (radar backtest, and radar serve once a day). Conventions as in 0001.
-- Coverages are the fractions (0..1) of past cases with a forecast that
-- finished by P50, P85 and P95.
CREATE TABLE track_records (
    recorded_at  INTEGER PRIMARY KEY, -- when the backtest ran
    cases        INTEGER NOT NULL,    -- past cases with a forecast
    p50_coverage REAL NOT NULL,
    p85_coverage REAL NOT NULL,
    p95_coverage REAL NOT NULL
);
