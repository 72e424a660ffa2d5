CREATE OR REPLACE VIEW analytics.scored_leads AS
SELECT
  "Job Title",
  Size,
  Flag,
  "When",
  Day,
  Serial,
  Code,
  _ls_score AS Score,
  CASE
    WHEN NOT _ls_scored
    THEN 'Unscored'
    WHEN _ls_score >= CAST(65.0 AS DOUBLE)
    THEN 'High value'
    WHEN _ls_score >= CAST(50.0 AS DOUBLE)
    THEN 'MQL'
    WHEN _ls_score >= CAST(20.0 AS DOUBLE)
    THEN 'Nurture'
    ELSE 'Cold'
  END AS Grade,
  CASE
    WHEN _ls_dq
    THEN 'Disqualified'
    WHEN NOT _ls_scored
    THEN 'Review'
    WHEN _ls_score >= CAST(65.0 AS DOUBLE)
    THEN 'Sales'
    WHEN _ls_score >= CAST(50.0 AS DOUBLE)
    THEN 'Sales'
    WHEN _ls_score >= CAST(20.0 AS DOUBLE)
    THEN 'Marketing nurture'
    ELSE 'Marketing'
  END AS Route,
  CASE
    WHEN NOT _ls_scored
    THEN 'UNSCORED'
    ELSE CONCAT(
      CASE
        WHEN _ls_c0 >= CAST(45.0 AS DOUBLE)
        THEN 'A'
        WHEN _ls_c0 >= CAST(30.0 AS DOUBLE)
        THEN 'B'
        WHEN _ls_c0 >= CAST(15.0 AS DOUBLE)
        THEN 'C'
        ELSE 'D'
      END,
      CASE
        WHEN _ls_c1 >= CAST(30.0 AS DOUBLE)
        THEN '1'
        WHEN _ls_c1 >= CAST(20.0 AS DOUBLE)
        THEN '2'
        WHEN _ls_c1 >= CAST(10.0 AS DOUBLE)
        THEN '3'
        ELSE '4'
      END
    )
  END AS Matrix,
  CASE
    WHEN NOT _ls_eta IS NULL
    THEN CAST(1.0 AS DOUBLE) / (
      CAST(1.0 AS DOUBLE) + EXP(-(
        _ls_eta
      ))
    )
  END AS Probability
FROM (
  SELECT
    *,
    CASE
      WHEN _ls_scored
      THEN LEAST_IGNORE_NULLS(
        GREATEST_IGNORE_NULLS(_ls_c0 + _ls_c1 + _ls_c2, CAST(0.0 AS DOUBLE)),
        CAST(90.0 AS DOUBLE)
      )
    END AS _ls_score
  FROM (
    SELECT
      *,
      LEAST_IGNORE_NULLS(GREATEST_IGNORE_NULLS(_ls_g0, CAST(-5.0 AS DOUBLE)), CAST(40.0 AS DOUBLE)) AS _ls_c0,
      _ls_g1 AS _ls_c1,
      _ls_g2 AS _ls_c2
    FROM (
      SELECT
        *,
        CASE
          WHEN _ls_k0 IN ('director', 'vp sales')
          THEN CAST(20.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE
          WHEN CHARINDEX('sales', _ls_k0) > 0
          THEN CAST(5.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE
          WHEN _ls_n1 >= CAST(100.0 AS DOUBLE) AND _ls_n1 <= CAST(500.0 AS DOUBLE)
          THEN CAST(10.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE WHEN _ls_k0 IS NULL THEN CAST(-10.0 AS DOUBLE) ELSE CAST(0.0 AS DOUBLE) END AS _ls_g0,
        CASE
          WHEN _ls_n2 IN (CAST(1.0 AS DOUBLE))
          THEN CAST(10.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE
          WHEN (
            _ls_a3 >= CAST(0.0 AS DOUBLE) AND _ls_a3 <= CAST(30.0 AS DOUBLE)
          )
          AND _ls_a3 >= CAST(0.0 AS DOUBLE)
          THEN CAST(25.0 AS DOUBLE) * (
            POWER(CAST(0.5 AS DOUBLE), _ls_a3 / CAST(14.0 AS DOUBLE))
          )
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE
          WHEN _ls_n4 >= CAST(46174.0 AS DOUBLE)
          THEN CAST(5.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END AS _ls_g1,
        CASE
          WHEN CASE
            WHEN REGEXP_LIKE(_ls_k6, '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$')
            THEN CAST(_ls_k6 AS DOUBLE)
          END > CAST(6.0 AS DOUBLE)
          THEN CAST(2.0 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + CASE WHEN TRUE THEN CAST(2.0 AS DOUBLE) ELSE CAST(0.0 AS DOUBLE) END AS _ls_g2,
        NOT _ls_k0 IS NULL
        OR NOT _ls_n1 IS NULL
        OR NOT _ls_n2 IS NULL
        OR NOT _ls_n3 IS NULL
        OR NOT _ls_n4 IS NULL
        OR NOT _ls_k6 IS NULL AS _ls_scored,
        _ls_k6 IN ('\'', '--', 'drop table leads') AS _ls_dq,
        CAST(-1.0 AS DOUBLE) + CASE
          WHEN _ls_k0 IS NULL
          THEN NULL
          WHEN _ls_k0 IN ('vp sales')
          THEN CAST(0.8 AS DOUBLE)
          WHEN _ls_k0 IN ('director')
          THEN CAST(0.3 AS DOUBLE)
          WHEN _ls_k0 IN ('500')
          THEN CAST(-0.4 AS DOUBLE)
          WHEN _ls_k0 IN ('other', 'chief executive', 'drop table leads')
          THEN CAST(0.2 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END + (
          _ls_n1 * CAST(0.005 AS DOUBLE)
        ) + (
          _ls_n2 * CAST(0.7 AS DOUBLE)
        ) + (
          (
            CAST(46203.0 AS DOUBLE) - _ls_n3
          ) * CAST(-0.012 AS DOUBLE)
        ) + (
          _ls_n4 * CAST(1e-08 AS DOUBLE)
        ) + CASE
          WHEN _ls_k6 IS NULL
          THEN NULL
          WHEN _ls_k6 IN ('10')
          THEN CAST(0.9 AS DOUBLE)
          WHEN _ls_k6 IN ('5')
          THEN CAST(-0.2 AS DOUBLE)
          ELSE CAST(0.0 AS DOUBLE)
        END AS _ls_eta
      FROM (
        SELECT
          *,
          FLOOR(CAST(46203.0 AS DOUBLE)) - FLOOR(_ls_n3) AS _ls_a3
        FROM (
          SELECT
            *,
            CASE
              WHEN _ls_t0 = ''
              THEN NULL
              WHEN SUBSTRING(_ls_t0, 1, 1) IN ('#', 'W', 'w')
              THEN CASE
                WHEN UPPER(_ls_t0) IN (
                  '#BLOCKED!',
                  '#BUSY!',
                  '#CALC!',
                  '#CONNECT!',
                  '#DIV/0!',
                  '#FIELD!',
                  '#GETTING_DATA',
                  '#N/A',
                  '#NAME?',
                  '#NULL!',
                  '#NUM!',
                  '#PYTHON!',
                  '#REF!',
                  '#SPILL!',
                  '#UNKNOWN!',
                  '#VALUE!',
                  'WAITING...'
                )
                THEN NULL
                ELSE LOWER(_ls_t0)
              END
              ELSE LOWER(_ls_t0)
            END AS _ls_k0,
            CAST(Size AS DOUBLE) AS _ls_n1,
            CASE WHEN Flag THEN CAST(1.0 AS DOUBLE) WHEN NOT Flag THEN CAST(0.0 AS DOUBLE) END AS _ls_n2,
            CASE
              WHEN CAST("When" AS DATE) < CAST('1900-03-01' AS DATE)
              THEN (
                CAST(DATEDIFF(DAY, CAST('1899-12-30' AS DATE), CAST("When" AS DATE)) AS DOUBLE) + (
                  (
                    (
                      CAST(DATE_PART(HOUR, "When") AS DOUBLE) * CAST(3600.0 AS DOUBLE)
                    ) + (
                      CAST(DATE_PART(MINUTE, "When") AS DOUBLE) * CAST(60.0 AS DOUBLE)
                    ) + FLOOR(CAST(DATE_PART(SECOND, "When") AS DOUBLE))
                  ) / CAST(86400.0 AS DOUBLE)
                )
              ) - CAST(1.0 AS DOUBLE)
              ELSE CAST(DATEDIFF(DAY, CAST('1899-12-30' AS DATE), CAST("When" AS DATE)) AS DOUBLE) + (
                (
                  (
                    CAST(DATE_PART(HOUR, "When") AS DOUBLE) * CAST(3600.0 AS DOUBLE)
                  ) + (
                    CAST(DATE_PART(MINUTE, "When") AS DOUBLE) * CAST(60.0 AS DOUBLE)
                  ) + FLOOR(CAST(DATE_PART(SECOND, "When") AS DOUBLE))
                ) / CAST(86400.0 AS DOUBLE)
              )
            END AS _ls_n3,
            CASE
              WHEN CAST(Day AS DATE) < CAST('1900-03-01' AS DATE)
              THEN CAST(DATEDIFF(DAY, CAST('1899-12-30' AS DATE), CAST(Day AS DATE)) AS DOUBLE) - CAST(1.0 AS DOUBLE)
              ELSE CAST(DATEDIFF(DAY, CAST('1899-12-30' AS DATE), CAST(Day AS DATE)) AS DOUBLE)
            END AS _ls_n4,
            CASE
              WHEN _ls_t6 = ''
              THEN NULL
              WHEN SUBSTRING(_ls_t6, 1, 1) IN ('#', 'W', 'w')
              THEN CASE
                WHEN UPPER(_ls_t6) IN (
                  '#BLOCKED!',
                  '#BUSY!',
                  '#CALC!',
                  '#CONNECT!',
                  '#DIV/0!',
                  '#FIELD!',
                  '#GETTING_DATA',
                  '#N/A',
                  '#NAME?',
                  '#NULL!',
                  '#NUM!',
                  '#PYTHON!',
                  '#REF!',
                  '#SPILL!',
                  '#UNKNOWN!',
                  '#VALUE!',
                  'WAITING...'
                )
                THEN NULL
                ELSE LOWER(_ls_t6)
              END
              ELSE LOWER(_ls_t6)
            END AS _ls_k6
          FROM (
            SELECT
              *,
              TRIM(
                CASE
                  WHEN CHARINDEX('  ', CAST("Job Title" AS VARCHAR)) > 0
                  OR CHARINDEX('\t', CAST("Job Title" AS VARCHAR)) > 0
                  OR CHARINDEX('\n', CAST("Job Title" AS VARCHAR)) > 0
                  OR CHARINDEX('\r', CAST("Job Title" AS VARCHAR)) > 0
                  OR CHARINDEX('\x0b', CAST("Job Title" AS VARCHAR)) > 0
                  OR CHARINDEX('\f', CAST("Job Title" AS VARCHAR)) > 0
                  THEN REGEXP_REPLACE(CAST("Job Title" AS VARCHAR), '\\s+', ' ')
                  ELSE CAST("Job Title" AS VARCHAR)
                END
              ) AS _ls_t0,
              TRIM(
                CASE
                  WHEN CHARINDEX('  ', CAST(Code AS VARCHAR)) > 0
                  OR CHARINDEX('\t', CAST(Code AS VARCHAR)) > 0
                  OR CHARINDEX('\n', CAST(Code AS VARCHAR)) > 0
                  OR CHARINDEX('\r', CAST(Code AS VARCHAR)) > 0
                  OR CHARINDEX('\x0b', CAST(Code AS VARCHAR)) > 0
                  OR CHARINDEX('\f', CAST(Code AS VARCHAR)) > 0
                  THEN REGEXP_REPLACE(CAST(Code AS VARCHAR), '\\s+', ' ')
                  ELSE CAST(Code AS VARCHAR)
                END
              ) AS _ls_t6
            FROM crm.leads
          ) AS _ls_1
        ) AS _ls_2
      ) AS _ls_3
    ) AS _ls_4
  ) AS _ls_5
) AS _ls_6
