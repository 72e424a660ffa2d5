CREATE OR REPLACE VIEW analytics.scored_leads AS
SELECT
  `Job Title`,
  Size,
  Flag,
  `When`,
  Day,
  Serial,
  Code,
  _ls_score AS Score,
  CASE
    WHEN NOT _ls_scored
    THEN 'Unscored'
    WHEN _ls_score >= CAST(65.0 AS FLOAT64)
    THEN 'High value'
    WHEN _ls_score >= CAST(50.0 AS FLOAT64)
    THEN 'MQL'
    WHEN _ls_score >= CAST(20.0 AS FLOAT64)
    THEN 'Nurture'
    ELSE 'Cold'
  END AS Grade,
  CASE
    WHEN _ls_dq
    THEN 'Disqualified'
    WHEN NOT _ls_scored
    THEN 'Review'
    WHEN _ls_score >= CAST(65.0 AS FLOAT64)
    THEN 'Sales'
    WHEN _ls_score >= CAST(50.0 AS FLOAT64)
    THEN 'Sales'
    WHEN _ls_score >= CAST(20.0 AS FLOAT64)
    THEN 'Marketing nurture'
    ELSE 'Marketing'
  END AS Route,
  CASE
    WHEN NOT _ls_scored
    THEN 'UNSCORED'
    ELSE CONCAT(
      CASE
        WHEN _ls_c0 >= CAST(45.0 AS FLOAT64)
        THEN 'A'
        WHEN _ls_c0 >= CAST(30.0 AS FLOAT64)
        THEN 'B'
        WHEN _ls_c0 >= CAST(15.0 AS FLOAT64)
        THEN 'C'
        ELSE 'D'
      END,
      CASE
        WHEN _ls_c1 >= CAST(30.0 AS FLOAT64)
        THEN '1'
        WHEN _ls_c1 >= CAST(20.0 AS FLOAT64)
        THEN '2'
        WHEN _ls_c1 >= CAST(10.0 AS FLOAT64)
        THEN '3'
        ELSE '4'
      END
    )
  END AS Matrix,
  CASE
    WHEN NOT _ls_eta IS NULL
    THEN CAST(1.0 AS FLOAT64) / (
      CAST(1.0 AS FLOAT64) + EXP(-(
        _ls_eta
      ))
    )
  END AS Probability
FROM (
  SELECT
    *,
    CASE
      WHEN _ls_scored
      THEN LEAST(GREATEST(_ls_c0 + _ls_c1 + _ls_c2, CAST(0.0 AS FLOAT64)), CAST(90.0 AS FLOAT64))
    END AS _ls_score
  FROM (
    SELECT
      *,
      LEAST(GREATEST(_ls_g0, CAST(-5.0 AS FLOAT64)), CAST(40.0 AS FLOAT64)) AS _ls_c0,
      _ls_g1 AS _ls_c1,
      _ls_g2 AS _ls_c2
    FROM (
      SELECT
        *,
        CASE
          WHEN _ls_k0 IN ('director', 'vp sales')
          THEN CAST(20.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE
          WHEN INSTR(_ls_k0, 'sales') > 0
          THEN CAST(5.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE
          WHEN _ls_n1 >= CAST(100.0 AS FLOAT64) AND _ls_n1 <= CAST(500.0 AS FLOAT64)
          THEN CAST(10.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE WHEN _ls_k0 IS NULL THEN CAST(-10.0 AS FLOAT64) ELSE CAST(0.0 AS FLOAT64) END AS _ls_g0,
        CASE
          WHEN _ls_n2 IN (CAST(1.0 AS FLOAT64))
          THEN CAST(10.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE
          WHEN (
            _ls_a3 >= CAST(0.0 AS FLOAT64) AND _ls_a3 <= CAST(30.0 AS FLOAT64)
          )
          AND _ls_a3 >= CAST(0.0 AS FLOAT64)
          THEN CAST(25.0 AS FLOAT64) * (
            POWER(CAST(0.5 AS FLOAT64), _ls_a3 / CAST(14.0 AS FLOAT64))
          )
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE
          WHEN _ls_n4 >= CAST(46174.0 AS FLOAT64)
          THEN CAST(5.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END AS _ls_g1,
        CASE
          WHEN CASE
            WHEN REGEXP_CONTAINS(_ls_k6, '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)(e[+-]?[0-9]+)?$')
            THEN CAST(_ls_k6 AS FLOAT64)
          END > CAST(6.0 AS FLOAT64)
          THEN CAST(2.0 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + CASE WHEN TRUE THEN CAST(2.0 AS FLOAT64) ELSE CAST(0.0 AS FLOAT64) END AS _ls_g2,
        NOT _ls_k0 IS NULL
        OR NOT _ls_n1 IS NULL
        OR NOT _ls_n2 IS NULL
        OR NOT _ls_n3 IS NULL
        OR NOT _ls_n4 IS NULL
        OR NOT _ls_k6 IS NULL AS _ls_scored,
        _ls_k6 IN ('\'', '--', 'drop table leads') AS _ls_dq,
        CAST(-1.0 AS FLOAT64) + CASE
          WHEN _ls_k0 IS NULL
          THEN NULL
          WHEN _ls_k0 IN ('vp sales')
          THEN CAST(0.8 AS FLOAT64)
          WHEN _ls_k0 IN ('director')
          THEN CAST(0.3 AS FLOAT64)
          WHEN _ls_k0 IN ('500')
          THEN CAST(-0.4 AS FLOAT64)
          WHEN _ls_k0 IN ('other', 'chief executive', 'drop table leads')
          THEN CAST(0.2 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END + (
          _ls_n1 * CAST(0.005 AS FLOAT64)
        ) + (
          _ls_n2 * CAST(0.7 AS FLOAT64)
        ) + (
          (
            CAST(46203.0 AS FLOAT64) - _ls_n3
          ) * CAST(-0.012 AS FLOAT64)
        ) + (
          _ls_n4 * CAST(1e-08 AS FLOAT64)
        ) + CASE
          WHEN _ls_k6 IS NULL
          THEN NULL
          WHEN _ls_k6 IN ('10')
          THEN CAST(0.9 AS FLOAT64)
          WHEN _ls_k6 IN ('5')
          THEN CAST(-0.2 AS FLOAT64)
          ELSE CAST(0.0 AS FLOAT64)
        END AS _ls_eta
      FROM (
        SELECT
          *,
          FLOOR(CAST(46203.0 AS FLOAT64)) - FLOOR(_ls_n3) AS _ls_a3
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
            CAST(Size AS FLOAT64) AS _ls_n1,
            CASE WHEN Flag THEN CAST(1.0 AS FLOAT64) WHEN NOT Flag THEN CAST(0.0 AS FLOAT64) END AS _ls_n2,
            CASE
              WHEN CAST(`When` AS DATE) < CAST('1900-03-01' AS DATE)
              THEN (
                CAST(DATE_DIFF(CAST(`When` AS DATE), CAST('1899-12-30' AS DATE), DAY) AS FLOAT64) + (
                  (
                    (
                      CAST(EXTRACT(HOUR FROM `When`) AS FLOAT64) * CAST(3600.0 AS FLOAT64)
                    ) + (
                      CAST(EXTRACT(MINUTE FROM `When`) AS FLOAT64) * CAST(60.0 AS FLOAT64)
                    ) + FLOOR(CAST(EXTRACT(SECOND FROM `When`) AS FLOAT64))
                  ) / CAST(86400.0 AS FLOAT64)
                )
              ) - CAST(1.0 AS FLOAT64)
              ELSE CAST(DATE_DIFF(CAST(`When` AS DATE), CAST('1899-12-30' AS DATE), DAY) AS FLOAT64) + (
                (
                  (
                    CAST(EXTRACT(HOUR FROM `When`) AS FLOAT64) * CAST(3600.0 AS FLOAT64)
                  ) + (
                    CAST(EXTRACT(MINUTE FROM `When`) AS FLOAT64) * CAST(60.0 AS FLOAT64)
                  ) + FLOOR(CAST(EXTRACT(SECOND FROM `When`) AS FLOAT64))
                ) / CAST(86400.0 AS FLOAT64)
              )
            END AS _ls_n3,
            CASE
              WHEN CAST(Day AS DATE) < CAST('1900-03-01' AS DATE)
              THEN CAST(DATE_DIFF(CAST(Day AS DATE), CAST('1899-12-30' AS DATE), DAY) AS FLOAT64) - CAST(1.0 AS FLOAT64)
              ELSE CAST(DATE_DIFF(CAST(Day AS DATE), CAST('1899-12-30' AS DATE), DAY) AS FLOAT64)
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
                  WHEN INSTR(CAST(`Job Title` AS STRING), '  ') > 0
                  OR INSTR(CAST(`Job Title` AS STRING), '\t') > 0
                  OR INSTR(CAST(`Job Title` AS STRING), '\n') > 0
                  OR INSTR(CAST(`Job Title` AS STRING), '\r') > 0
                  OR INSTR(CAST(`Job Title` AS STRING), '\v') > 0
                  OR INSTR(CAST(`Job Title` AS STRING), '\f') > 0
                  THEN REGEXP_REPLACE(CAST(`Job Title` AS STRING), '\\s+', ' ')
                  ELSE CAST(`Job Title` AS STRING)
                END
              ) AS _ls_t0,
              TRIM(
                CASE
                  WHEN INSTR(CAST(Code AS STRING), '  ') > 0
                  OR INSTR(CAST(Code AS STRING), '\t') > 0
                  OR INSTR(CAST(Code AS STRING), '\n') > 0
                  OR INSTR(CAST(Code AS STRING), '\r') > 0
                  OR INSTR(CAST(Code AS STRING), '\v') > 0
                  OR INSTR(CAST(Code AS STRING), '\f') > 0
                  THEN REGEXP_REPLACE(CAST(Code AS STRING), '\\s+', ' ')
                  ELSE CAST(Code AS STRING)
                END
              ) AS _ls_t6
            FROM crm.leads
          ) AS _ls_1
        ) AS _ls_2
      ) AS _ls_3
    ) AS _ls_4
  ) AS _ls_5
) AS _ls_6
