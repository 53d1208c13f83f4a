"""A register the size of a busy body's, written in bulk into the tables the API reads (migrations 0001
onwards), for the list benchmarks: organizations with their applications, certificates with their
issued version (the name the list shows comes from it, migration 0005), and open tasks of those
certifications, spread over kinds, roles, people and due dates as a body's inbox is.

Written in a few INSERT … SELECT over generate_series, so that ten thousand of each take seconds; the
values vary with the row number (hashed), never at random, so two runs hold the same register.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

# A name of its own, given to one organization only: the search for it finds one row in thousands.
RARE_ORGANIZATION = "喀什罕见声讯外包有限公司"
RARE_TERM = "罕见声讯"

# What a body's inbox holds: task kinds with the role that does them (workflows/), most of them of the
# certificates' lives (surveillance, recertification) and some of new applications.
TASK_KINDS = (
    ("application_review", "reviewer"), ("contract", "reviewer"), ("programme", "programme_manager"),
    ("stage1", "auditor"), ("mystery_shopper_report", "mystery_shopper"), ("onsite_plan", "auditor"),
    ("onsite_audit", "auditor"), ("audit_report", "auditor"), ("materials_review", "programme_manager"),
    ("certification_decision", "decision_maker"), ("surveillance_changes", "programme_manager"),
    ("surveillance_programme", "programme_manager"), ("surveillance_review", "auditor"),
    ("surveillance_decision", "decision_maker"), ("recertification_application", "reviewer"),
    ("recertification_programme", "programme_manager"), ("recertification_decision", "decision_maker"),
    ("notification_triage", "manager"), ("overdue_suspension", "manager"),
)
CITIES = ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "天津", "苏州", "郑州",
          "长沙", "沈阳", "青岛", "合肥", "昆明", "厦门", "福州")
TRADES = ("电信", "银行", "保险", "电商", "航空", "物流", "燃气", "政务", "医疗", "汽车", "证券", "水务", "电力",
          "旅游", "教育", "家电")
KINDS = ("客服中心", "呼叫中心", "客户服务有限公司", "信息服务有限公司", "外包服务有限公司", "热线服务中心")
STAFF_AUDITORS = 40  # the body's other auditors, to whom most audit tasks are assigned


@dataclass(frozen=True)
class Seeded:
    organizations: int
    certificates: int
    open_tasks: int
    assigned_to_leader: int  # open tasks assigned to the benchmark's own auditor


async def seed_register(pool: asyncpg.Pool, *, certificates: int, open_tasks: int, leader_id: str) -> Seeded:
    """``certificates`` organizations, each with an application and a certificate, and ``open_tasks``
    open tasks over them; every 97th audit task is the benchmark leader's own."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(_ORGANIZATIONS, certificates, list(CITIES), list(TRADES), list(KINDS), RARE_ORGANIZATION)
        await conn.execute(_ORGANIZATION_ROWS)
        await conn.execute(_APPLICATIONS)
        await conn.execute(_NUMBERS)
        await conn.execute(_CERTIFICATES)
        await conn.execute(_VERSIONS)
        await conn.execute(_AUDITORS, STAFF_AUDITORS)
        await conn.execute(_AUDITOR_ROLES)
        await conn.execute(_TASKS, open_tasks, [k for k, _ in TASK_KINDS], [r for _, r in TASK_KINDS],
                           leader_id)
        assigned = await conn.fetchval(
            "SELECT count(*) FROM tasks WHERE status = 'open' AND assignee_id = $1::uuid", leader_id)
        await conn.execute("DROP TABLE bench_orgs")
    async with pool.acquire() as conn:
        await conn.execute("ANALYZE")  # as autovacuum would soon after such a load
    return Seeded(certificates, certificates, open_tasks, assigned)


# Row n's organization: a city, a trade and a kind of company, with a number that keeps names apart.
_ORGANIZATIONS = """
CREATE TEMP TABLE bench_orgs AS
SELECT n, gen_random_uuid() AS org_id, gen_random_uuid() AS app_id,
       CASE WHEN n = $1 / 2 THEN $5
            ELSE ($2::text[])[1 + (hashint4(n) & 2147483647) % array_length($2::text[], 1)]
                 || ($3::text[])[1 + (hashint4(n * 7) & 2147483647) % array_length($3::text[], 1)]
                 || ($4::text[])[1 + (hashint4(n * 13) & 2147483647) % array_length($4::text[], 1)]
                 || '（' || n || '号）' END AS name,
       '91' || lpad(upper(to_hex(n)), 16, '0') AS credit_code
FROM generate_series(1, $1) AS n
"""
_ORGANIZATION_ROWS = """
INSERT INTO organizations (id, name, credit_code, registered_address, postcode, contact)
SELECT org_id, name, credit_code, '示例路' || n || '号', '100000', '{"email": "contact@example.cn"}'::jsonb
FROM bench_orgs;
"""
_APPLICATIONS = """
INSERT INTO applications (id, organization_id, workflow_id, status, scope, data, submitted_at)
SELECT app_id, org_id, 'certification-' || app_id, 'granted', '呼叫中心客户服务', '{}'::jsonb,
       now() - make_interval(days => 30 + (hashint4(n) & 2147483647) % 1000)
FROM bench_orgs
"""
_NUMBERS = """
ALTER TABLE bench_orgs ADD COLUMN seq bigint;
UPDATE bench_orgs SET seq = nextval('certificate_number_seq');
ALTER TABLE bench_orgs ADD COLUMN number text;
UPDATE bench_orgs SET number = 'CFB-CCS-' || (2023 + n % 4) || '-B' || lpad(seq::text, 6, '0');
INSERT INTO certificate_numbers (number, seq, allocation_key)
SELECT number, seq, 'bench-' || app_id FROM bench_orgs
"""
# Mostly valid, some suspended, withdrawn or expired; the four levels; issued over three years; something due.
_CERTIFICATES = """
INSERT INTO certificates (number, organization_id, application_id, workflow_id, status, star_level, scope,
                          issued_on, valid_from, valid_to, suspended_until, next_due_on, next_due_what)
SELECT number, org_id, app_id, 'certification-' || app_id, status,
       (ARRAY['compliant', 'three_star', 'four_star', 'five_star'])[1 + (hashint4(n * 5) & 2147483647) % 4],
       '呼叫中心客户服务', issued, issued, issued + interval '3 years' - interval '1 day',
       CASE WHEN status = 'suspended' THEN current_date + 60 END,
       CASE WHEN status IN ('valid', 'suspended') THEN issued + make_interval(years => 1 + n % 2) END,
       CASE WHEN status IN ('valid', 'suspended') THEN 'surveillance' END
FROM (SELECT *, current_date - (hashint4(n * 3) & 2147483647) % 1095 AS issued,
             CASE WHEN n % 50 = 0 THEN 'suspended' WHEN n % 40 = 1 THEN 'withdrawn'
                  WHEN n % 60 = 2 THEN 'expired' ELSE 'valid' END AS status
      FROM bench_orgs) AS o
"""
_VERSIONS = """
INSERT INTO certificate_versions (certificate_number, version, change, in_force_from, status, star_level, scope,
                                  issued_on, revision, valid_from, valid_to, suspended_until, organization)
SELECT c.number, 1, 'issued', c.issued_on, c.status, c.star_level, c.scope, c.issued_on, 0, c.valid_from,
       c.valid_to, c.suspended_until,
       jsonb_build_object('name', o.name, 'credit_code', o.credit_code, 'registered_address', o.registered_address,
                          'postcode', o.postcode)
FROM certificates c JOIN bench_orgs b ON b.number = c.number JOIN organizations o ON o.id = c.organization_id
"""
_AUDITORS = """
INSERT INTO staff (id, name, email)
SELECT gen_random_uuid(), '审查员' || n, 'bench-auditor-' || n || '@body.example' FROM generate_series(1, $1) AS n
"""
_AUDITOR_ROLES = """
INSERT INTO staff_roles (staff_id, role)
SELECT id, 'auditor' FROM staff WHERE email LIKE 'bench-auditor-%'
"""
# Task n: a kind (and its role) of the list, about organization n (wrapping round); audit tasks assigned to
# one of the auditors (every 97th to the benchmark's leader), others to their role; due within ±60 days,
# a few undated.
_TASKS = """
WITH auditors AS (SELECT array_agg(id ORDER BY email) AS ids FROM staff WHERE email LIKE 'bench-auditor-%'),
     orgs AS (SELECT count(*) AS total FROM bench_orgs)
INSERT INTO tasks (id, workflow_id, kind, role, assignee_id, status, rule_id, due_on, subject, title, context,
                   opened_at)
SELECT b.workflow_id || '/' || t.kind || '/' || t.n, b.workflow_id, t.kind, t.role,
       CASE WHEN t.role <> 'auditor' THEN NULL
            WHEN t.n % 97 = 0 THEN $4::uuid
            ELSE a.ids[1 + (hashint4(t.n) & 2147483647) % array_length(a.ids, 1)] END,
       'open', NULL,
       CASE WHEN t.n % 25 = 0 THEN NULL ELSE current_date - 60 + (hashint4(t.n * 11) & 2147483647) % 121 END,
       b.app_id::text, '', '{}'::jsonb, now() - make_interval(mins => (hashint4(t.n * 17) & 2147483647) % 200000)
FROM (SELECT n, ($2::text[])[1 + (n * 7919) % array_length($2::text[], 1)] AS kind,
             ($3::text[])[1 + (n * 7919) % array_length($3::text[], 1)] AS role
      FROM generate_series(1, $1) AS n) AS t
CROSS JOIN auditors a CROSS JOIN orgs
JOIN (SELECT n, 'certification-' || app_id AS workflow_id, app_id FROM bench_orgs) AS b
  ON b.n = 1 + (t.n - 1) % orgs.total
"""
