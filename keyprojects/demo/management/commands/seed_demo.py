"""``manage.py seed_demo``: a realistic, deterministic Shandong for demos and load tests.

    manage.py seed_demo [--projects N] [--seed S] [--year Y] [--month M] [--months K] [--if-empty | --reset]
                        [--reset-passwords] [--batch-size B] [--digest] [--no-input] [--force]

Same ``--seed``/``--year``/``--month``/``--months`` give the same data on every database
(``--digest`` prints a checksum to compare). ``--months K``: reporting periods and monthly
reports for the K most recent months up to ``--month`` (default: last year and this year so
far; 0: none). The logins get fresh random passwords, printed once. Under production settings it refuses
to run unless ``--force``, and then creates no superuser.
See :mod:`keyprojects.demo`.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from keyprojects import demo


class Command(BaseCommand):
    help = "生成山东省重点项目演示数据（确定性：相同种子生成相同数据），并打印各角色的演示账号"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--projects", type=int, default=demo.DEFAULT_PROJECTS, help="项目数（默认 %(default)s）")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子（默认 %(default)s）")
        parser.add_argument("--year", type=int, default=None, help="演示年度（默认今年）")
        parser.add_argument("--month", type=int, default=None, help="数据截至月份（默认今年上月；往年为12月）")
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="生成月报的月数：截至数据月份的最近 K 个月（默认去年全年及今年截至数据月份；0 为不生成）",
        )
        parser.add_argument("--if-empty", action="store_true", help="已有项目时什么也不做")
        parser.add_argument(
            "--reset", action="store_true", help="先删除项目、企业、单位、包保领导及其月报等业务数据（行政区划、账号和审计日志保留）"
        )
        parser.add_argument("--reset-passwords", action="store_true", help="只为已有的演示账号重新生成密码")
        parser.add_argument("--batch-size", type=int, default=demo.DEFAULT_BATCH, help="批量写入行数（默认 %(default)s）")
        parser.add_argument("--digest", action="store_true", help="打印数据摘要（SHA-256），用于核对确定性")
        parser.add_argument("--force", action="store_true", help="在生产配置下也生成演示数据（不创建超级用户）")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive", help="--reset 时不再确认")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            self._handle(opts)
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc

    def _handle(self, opts: dict[str, Any]) -> None:
        if getattr(settings, "KEYPROJECTS_PRODUCTION", False) and not opts["force"]:
            raise CommandError(
                "当前是生产配置（config.settings.prod）：seed_demo 会写入演示项目和演示账号，已拒绝执行。"
                "如确需在此数据库生成演示数据（例如培训环境），请加 --force（不会创建超级用户）。"
            )
        if opts["if_empty"] and opts["reset"]:
            raise CommandError("--if-empty 与 --reset 不能同时使用")
        if opts["reset_passwords"]:
            self._print_logins(demo.reset_demo_passwords())
            return
        existing = demo.business_data_exists()
        if existing and opts["if_empty"]:
            self.stdout.write(
                f"已有项目数据（{existing} 个），未生成演示数据。\n"
                "如需重新设置演示账号的密码：manage.py seed_demo --reset-passwords"
                "（或 manage.py changepassword <用户名>）；如需重新生成：manage.py seed_demo --reset"
            )
            return
        if existing and not opts["reset"]:
            raise CommandError(
                f"数据库中已有项目数据（{existing} 个），未生成演示数据。如需清除后重新生成，请加 --reset"
                "（删除项目、企业、单位、包保领导及其月报等业务数据；行政区划、账号和审计日志保留）；如只在空库时生成，请加 --if-empty。"
            )
        if opts["reset"] and existing and opts["interactive"] and sys.stdin.isatty():
            answer = input(f"将删除全部 {existing} 个项目及企业、单位、包保领导、月报等业务数据。确认请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消")
        progress = opts["verbosity"] >= 1
        result = demo.seed_demo(
            projects=opts["projects"], seed=opts["seed"], year=opts["year"], month=opts["month"], months=opts["months"],
            reset=opts["reset"], batch_size=opts["batch_size"], progress=progress, stream=sys.stderr,
        )  # fmt: skip
        for line in demo.summary_lines(result):
            self.stdout.write(line)
        if opts["verbosity"] >= 2:
            self.stdout.write("  用时：" + "，".join(f"{phase} {seconds:.1f} 秒" for phase, seconds in result.timings.items()))
        if opts["digest"]:
            self.stdout.write(f"  数据摘要 SHA-256：{demo.demo_digest()}")
        self._print_logins(result.logins)

    def _print_logins(self, logins: list[demo.DemoLogin]) -> None:
        self.stdout.write("")
        self.stdout.write("演示账号（密码为随机生成，只显示这一次；无需首次改密）：")
        self.stdout.write(demo.logins_table(logins))
        if any(login.username == "admin" for login in logins):
            self.stdout.write(
                "注意：演示账号 admin 是超级用户（可进入 Django 管理后台，不受三权分立限制），仅供演示；正式使用的数据库中请勿保留。"
            )
