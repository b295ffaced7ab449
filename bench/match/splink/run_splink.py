"""Splink, trained unsupervised as its documentation describes, on the comparison bench's CSV files.

    python run_splink.py --link a.csv b.csv [--threshold 0.9]
    python run_splink.py --dedupe dedup.csv [--threshold 0.9]

Prints one JSON object: pairwise and cluster precision/recall/F1 against the files' true_id column, the
estimated probability that two random records match, and the seconds Splink took (training, prediction and
clustering; reading the CSV excluded). true_id is held back from Splink and used only for scoring.

Training follows Splink's documented unsupervised recipe (DuckDB backend):
  1. lambda (probability_two_random_records_match) from deterministic rules with an assumed recall,
  2. u by random sampling of record pairs,
  3. m by expectation maximisation over several blocking passes (each pass leaves the fields it blocks on).
The preparation (lower case, a house number split from the street, phone digits) is the cleaning Splink's
docs ask for before linking; the pack reads the same files without it.
"""
import argparse
import json
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

PREPARED = """
select
  rec_id,
  nullif(lower(trim(given_name)), '') as given_name,
  nullif(lower(trim(surname)), '') as surname,
  nullif(regexp_extract(trim(street_address), '^([0-9]+)', 1), '') as street_number,
  nullif(lower(trim(regexp_replace(street_address, '^[0-9]+\\s*', ''))), '') as street_name,
  nullif(lower(trim(suburb)), '') as suburb,
  nullif(trim(postcode), '') as postcode,
  nullif(lower(trim(state)), '') as state,
  nullif(trim(date_of_birth), '') as date_of_birth,
  nullif(lower(trim(email)), '') as email,
  nullif(case when regexp_replace(phone_number, '[^0-9]', '', 'g') like '61%'
              then '0' || substr(regexp_replace(phone_number, '[^0-9]', '', 'g'), 3)
              else regexp_replace(phone_number, '[^0-9]', '', 'g') end, '') as phone
from read_csv('{path}', header = true, all_varchar = true)
"""


def settings(link_type):
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        comparisons=[
            cl.ForenameSurnameComparison("given_name", "surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y-%m-%d"),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("street_name", [0.9, 0.7]),
            # suburb and state follow from the postcode: Splink's docs warn that correlated comparisons
            # overcount, so the address is the house number, the street and the postcode
            cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.DamerauLevenshteinAtThresholds("phone", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode", "street_number"),
            block_on("email"),
            block_on("phone"),
            block_on("surname", "postcode"),
            block_on("given_name", "postcode"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def score(predicted_pairs, truth, true_pairs):
    correct = sum(1 for l, r in predicted_pairs if truth[l] == truth[r])
    n = len(predicted_pairs)
    precision = correct / n if n else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": n, "correct": correct}


def true_pair_count(con, tables, link):
    if link:
        return con.execute(
            f"select count(*) from {tables[0]} a join {tables[1]} b using (true_id)"
        ).fetchall()[0][0]
    return con.execute(
        f"select coalesce(sum(n * (n - 1) / 2), 0) from (select count(*) n from {tables[0]} group by true_id)"
    ).fetchall()[0][0]


def main():
    parser = argparse.ArgumentParser()
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--link", nargs=2, metavar=("A", "B"))
    group.add_argument("--dedupe", metavar="FILE")
    parser.add_argument("--threshold", type=float, default=0.9, help="match probability for pairs and clusters")
    parser.add_argument("--recall", type=float, default=0.7, help="assumed recall of the deterministic rules")
    parser.add_argument("--false-positives", type=int, default=0, help="show this many wrong pairs (to read a result)")
    args = parser.parse_args()
    link = args.link is not None
    files = args.link if link else [args.dedupe]

    con = duckdb.connect()
    truth = {}
    prepared = []
    for i, path in enumerate(files):
        con.execute(f"create table labels_{i} as select rec_id, true_id from read_csv('{path}', header = true, all_varchar = true)").fetchall()
        con.execute(f"create table input_{i} as {PREPARED.format(path=path)}").fetchall()
        truth.update(dict(con.execute(f"select rec_id, true_id from labels_{i}").fetchall()))
        prepared.append(f"input_{i}")
    true_pairs = true_pair_count(con, [f"labels_{i}" for i in range(len(files))], link)

    started = time.perf_counter()
    db_api = DuckDBAPI(connection=con)
    inputs = [db_api.register(t, dataset_display_name=t) for t in prepared]
    linker = Linker(inputs if link else inputs[0], settings("link_only" if link else "dedupe_only"))

    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("given_name", "surname", "date_of_birth"),
            block_on("email"),
            "l.phone = r.phone and l.surname = r.surname",
        ],
        recall=args.recall,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode", "street_number"))

    predictions = linker.inference.predict(threshold_match_probability=args.threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, args.threshold)
    pairs = predictions.as_duckdbpyrelation().select("rec_id_l, rec_id_r").fetchall()
    members = clusters.as_duckdbpyrelation().select("cluster_id, rec_id").fetchall()
    seconds = time.perf_counter() - started

    by_cluster = {}
    for cluster_id, rec_id in members:
        by_cluster.setdefault(cluster_id, []).append(rec_id)
    side = {}
    if link:
        for i in range(len(files)):
            for (rec_id,) in con.execute(f"select rec_id from labels_{i}").fetchall():
                side[rec_id] = i
    cluster_pairs = []
    for ids in by_cluster.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                if link and side[ids[x]] == side[ids[y]]:
                    continue
                cluster_pairs.append((ids[x], ids[y]))

    lam = linker._settings_obj._probability_two_random_records_match
    result = {
        "splink": __import__("splink").__version__,
        "duckdb": duckdb.__version__,
        "mode": "link" if link else "dedupe",
        "threshold": args.threshold,
        "seconds": round(seconds, 3),
        "truePairs": true_pairs,
        "matchProportion": lam,
        "pairs": score(pairs, truth, true_pairs),
        "clusters": score(cluster_pairs, truth, true_pairs),
    }
    result.update({k: result["clusters"][k] for k in ("precision", "recall", "f1")})
    if args.false_positives:
        wrong = [(l, r) for l, r in pairs if truth[l] != truth[r]][: args.false_positives]
        result["falsePositives"] = [
            [con.execute(f"select * from input_{i} where rec_id = ?", [x]).fetchall() for i in range(len(files)) for x in pair]
            for pair in wrong
        ]
    json.dump(result, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
