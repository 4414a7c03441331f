-- 013: what changed since a reader last looked (issue 15). Each process keeps rollups and account
-- records in memory (store/readCache.ts, store/accountMemo.ts). `PRAGMA data_version` says only
-- that another connection committed; since the server's own batches are now committed by its
-- writer thread (another connection), that is nearly every commit, and dropping everything on each
-- would empty the read model under ingest. These triggers record which customers' rollups changed
-- (rollup_changes, keyed by a global sequence) and whether any account record changed, whoever
-- writes: the writer thread, another server process, the CLI, a purge.
CREATE TABLE change_counters (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO change_counters (name, seq) VALUES ('rollups', 0), ('accounts', 0);

CREATE TABLE rollup_changes (customer_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX rollup_changes_seq ON rollup_changes (seq);

-- One pair of statements per rollup row written (tens per batch, not one per event).
CREATE TRIGGER daily_stats_changed_i AFTER INSERT ON daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER daily_stats_changed_u AFTER UPDATE ON daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER daily_stats_changed_d AFTER DELETE ON daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (OLD.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER category_daily_stats_changed_i AFTER INSERT ON category_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER category_daily_stats_changed_u AFTER UPDATE ON category_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER category_daily_stats_changed_d AFTER DELETE ON category_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (OLD.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER provider_daily_stats_changed_i AFTER INSERT ON provider_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER provider_daily_stats_changed_u AFTER UPDATE ON provider_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER provider_daily_stats_changed_d AFTER DELETE ON provider_daily_stats BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (OLD.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER customer_categories_changed_i AFTER INSERT ON customer_categories BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (NEW.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;
CREATE TRIGGER customer_categories_changed_d AFTER DELETE ON customer_categories BEGIN
  UPDATE change_counters SET seq = seq + 1 WHERE name = 'rollups';
  INSERT INTO rollup_changes (customer_id, seq) VALUES (OLD.customer_id, (SELECT seq FROM change_counters WHERE name = 'rollups'))
    ON CONFLICT (customer_id) DO UPDATE SET seq = excluded.seq;
END;

-- Account records: rare writes; any of them makes readers drop what they hold.
CREATE TRIGGER resellers_changed_i AFTER INSERT ON resellers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER resellers_changed_u AFTER UPDATE ON resellers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER resellers_changed_d AFTER DELETE ON resellers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER customers_changed_i AFTER INSERT ON customers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER customers_changed_u AFTER UPDATE ON customers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
CREATE TRIGGER customers_changed_d AFTER DELETE ON customers BEGIN UPDATE change_counters SET seq = seq + 1 WHERE name = 'accounts'; END;
