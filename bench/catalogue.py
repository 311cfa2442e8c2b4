"""Benchmark of the public catalogue at a province's full size: 2,000 published procedures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench .venv/bin/python bench/catalogue.py \
        [--procedures 2000] [--runs 200]

It drops and re-creates the bench database (only a database whose name contains "bench"; SQLite only with
``--allow-sqlite``), migrates it, loads the catalogue with ``bulk_create``, runs ANALYZE, then measures in process,
with Django's test client, the time and query count of the catalogue's search, filtered page and procedure page,
through the API and the HTML pages. It prints a table, writes it as JSON to ``bench/results/catalogue-<date>.json``,
and prints the plan PostgreSQL chooses for the search, as it is and with ``enable_seqscan=off``.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TRIGRAM_INDEX = "procedure_version_name_trgm"

# --- The catalogue's vocabulary -------------------------------------------------------------------------------------

# What a procedure does, as the national catalogue names it.
VERBS = [
    "Đăng ký",
    "Đăng ký lại",
    "Đăng ký thay đổi nội dung",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Cấp bản sao",
    "Gia hạn",
    "Điều chỉnh",
    "Sửa đổi, bổ sung",
    "Thu hồi",
    "Công nhận",
    "Xác nhận",
    "Thẩm định",
    "Chấp thuận",
    "Thông báo",
]
QUALIFIERS = [
    "",
    "",
    "",
    " có yếu tố nước ngoài",
    " cho người nước ngoài",
    " cho tổ chức",
    " cho cá nhân",
    " trong trường hợp bị mất, hư hỏng",
    " khi thay đổi thông tin",
    " theo thủ tục rút gọn",
]

# The province's people's committee, its departments and its communes: 60 agencies after the 2025 reform.
PROVINCE_AGENCY = ("H12", "Ủy ban nhân dân tỉnh")
DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Tài chính",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Nội vụ",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Dân tộc và Tôn giáo",
    "Công an tỉnh",
    "Ban Quản lý các khu công nghiệp",
    "Thanh tra tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Thuế tỉnh",
    "Kho bạc Nhà nước khu vực",
    "Cục Hải quan khu vực",
    "Ngân hàng Nhà nước khu vực",
    "Văn phòng Đăng ký đất đai",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "Quỹ Đầu tư phát triển tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng tỉnh",
]
COMMUNE_NAMES = """
Tân An, Hòa Bình, Phú Lộc, Thạnh Mỹ, Đồng Xuân, Vĩnh Hưng, Bình Minh, An Phú, Long Hòa, Tiên Phước,
Quảng Điền, Hương Sơn, Ngọc Lặc, Yên Thế, Đức Phổ, Cẩm Giàng, Kim Sơn, Lạc Dương, Mỹ Tho, Sơn Tịnh,
Phước Long, Hải Lăng, Thủy Nguyên, Nghĩa Đàn, Ea Kar, Đông Hà, Bảo Lộc, Cái Bè, Tam Kỳ, Trà Ôn,
Gò Công, Châu Đốc, Đắk Mil, Lệ Thủy, Ninh Hải
""".replace("\n", " ").split(", ")

# The 40 sectors of the catalogue: code | name | the department that settles its province-level procedures |
# the objects its procedures deal with (";"-separated) | its legal basis.
SECTOR_TABLE = """
ho-tich | Hộ tịch | Sở Tư pháp | khai sinh; kết hôn; khai tử; nhận cha, mẹ, con; giám hộ | Luật Hộ tịch số 60/2014/QH13; Nghị định số 123/2015/NĐ-CP
chung-thuc | Chứng thực | Sở Tư pháp | bản sao từ bản chính; chữ ký; hợp đồng, giao dịch | Nghị định số 23/2015/NĐ-CP về cấp bản sao từ sổ gốc, chứng thực
ly-lich-tu-phap | Lý lịch tư pháp | Sở Tư pháp | phiếu lý lịch tư pháp số 1; phiếu lý lịch tư pháp số 2 | Luật Lý lịch tư pháp số 28/2009/QH12
quoc-tich | Quốc tịch | Sở Tư pháp | quốc tịch Việt Nam; giấy xác nhận có quốc tịch Việt Nam | Luật Quốc tịch Việt Nam số 24/2008/QH12
nuoi-con-nuoi | Nuôi con nuôi | Sở Tư pháp | việc nuôi con nuôi trong nước; việc nuôi con nuôi thực tế | Luật Nuôi con nuôi số 52/2010/QH12
dat-dai | Đất đai | Văn phòng Đăng ký đất đai | giấy chứng nhận quyền sử dụng đất; biến động đất đai; chuyển mục đích sử dụng đất; quyền sở hữu tài sản gắn liền với đất | Luật Đất đai số 31/2024/QH15; Nghị định số 101/2024/NĐ-CP
xay-dung | Xây dựng | Sở Xây dựng | giấy phép xây dựng; giấy phép xây dựng nhà ở riêng lẻ; chứng chỉ hành nghề hoạt động xây dựng | Luật Xây dựng số 50/2014/QH13; Nghị định số 175/2024/NĐ-CP
quy-hoach-kien-truc | Quy hoạch xây dựng, kiến trúc | Sở Xây dựng | giấy phép quy hoạch; chứng chỉ hành nghề kiến trúc | Luật Kiến trúc số 40/2019/QH14
nha-o | Nhà ở | Sở Xây dựng | nhà ở xã hội; giấy chứng nhận quyền sở hữu nhà ở | Luật Nhà ở số 27/2023/QH15
doanh-nghiep | Thành lập và hoạt động của doanh nghiệp | Sở Tài chính | giấy chứng nhận đăng ký doanh nghiệp; chi nhánh, văn phòng đại diện; địa điểm kinh doanh | Luật Doanh nghiệp số 59/2020/QH14; Nghị định số 168/2025/NĐ-CP
ho-kinh-doanh | Thành lập và hoạt động của hộ kinh doanh | Sở Tài chính | hộ kinh doanh; giấy chứng nhận đăng ký hộ kinh doanh | Nghị định số 168/2025/NĐ-CP
hop-tac-xa | Thành lập và hoạt động của hợp tác xã | Sở Tài chính | hợp tác xã; liên hiệp hợp tác xã | Luật Hợp tác xã số 17/2023/QH15
dau-tu | Đầu tư tại Việt Nam | Sở Tài chính | giấy chứng nhận đăng ký đầu tư; chủ trương đầu tư | Luật Đầu tư số 61/2020/QH14
luu-thong-hang-hoa | Lưu thông hàng hóa trong nước | Sở Công Thương | giấy phép bán lẻ rượu; giấy phép kinh doanh sản phẩm thuốc lá; cửa hàng bán lẻ xăng dầu | Luật Thương mại số 36/2005/QH11; Nghị định số 105/2017/NĐ-CP
thuong-mai-quoc-te | Thương mại quốc tế | Sở Công Thương | giấy phép kinh doanh cho tổ chức kinh tế có vốn nước ngoài | Nghị định số 09/2018/NĐ-CP
an-toan-thuc-pham | An toàn thực phẩm | Sở Y tế | giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm | Luật An toàn thực phẩm số 55/2010/QH12; Nghị định số 15/2018/NĐ-CP
kham-chua-benh | Khám bệnh, chữa bệnh | Sở Y tế | giấy phép hành nghề khám bệnh, chữa bệnh; giấy phép hoạt động | Luật Khám bệnh, chữa bệnh số 15/2023/QH15
duoc-pham | Dược phẩm | Sở Y tế | chứng chỉ hành nghề dược; giấy chứng nhận đủ điều kiện kinh doanh dược | Luật Dược số 105/2016/QH13
giao-duc | Giáo dục và đào tạo | Sở Giáo dục và Đào tạo | văn bằng, chứng chỉ; trường mầm non tư thục; hoạt động dạy thêm | Luật Giáo dục số 43/2019/QH14
giao-duc-nghe-nghiep | Giáo dục nghề nghiệp | Sở Giáo dục và Đào tạo | hoạt động giáo dục nghề nghiệp; trung tâm giáo dục nghề nghiệp | Luật Giáo dục nghề nghiệp số 74/2014/QH13
viec-lam | Việc làm | Sở Nội vụ | giấy phép lao động cho người nước ngoài; trợ cấp thất nghiệp | Bộ luật Lao động số 45/2019/QH14; Nghị định số 152/2020/NĐ-CP
bao-tro-xa-hoi | Bảo trợ xã hội | Sở Y tế | trợ cấp xã hội hằng tháng; hỗ trợ chi phí mai táng | Nghị định số 20/2021/NĐ-CP
nguoi-co-cong | Người có công | Sở Nội vụ | chế độ ưu đãi người có công; trợ cấp một lần | Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14
an-toan-lao-dong | An toàn, vệ sinh lao động | Sở Nội vụ | giấy chứng nhận đủ điều kiện huấn luyện an toàn | Luật An toàn, vệ sinh lao động số 84/2015/QH13
duong-bo | Đường bộ | Sở Xây dựng | giấy phép lái xe; đăng ký xe; giấy phép kinh doanh vận tải bằng xe ô tô | Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15
duong-thuy | Đường thủy nội địa | Sở Xây dựng | phương tiện thủy nội địa; bến thủy nội địa | Luật Giao thông đường thủy nội địa số 23/2004/QH11
moi-truong | Môi trường | Sở Nông nghiệp và Môi trường | giấy phép môi trường; báo cáo đánh giá tác động môi trường | Luật Bảo vệ môi trường số 72/2020/QH14
tai-nguyen-nuoc | Tài nguyên nước | Sở Nông nghiệp và Môi trường | giấy phép khai thác nước dưới đất; giấy phép xả nước thải | Luật Tài nguyên nước số 28/2023/QH15
khoang-san | Khoáng sản | Sở Nông nghiệp và Môi trường | giấy phép thăm dò khoáng sản; giấy phép khai thác khoáng sản | Luật Địa chất và khoáng sản số 54/2024/QH15
trong-trot | Trồng trọt | Sở Nông nghiệp và Môi trường | giống cây trồng; giấy chứng nhận đủ điều kiện sản xuất phân bón | Luật Trồng trọt số 31/2018/QH14
chan-nuoi | Chăn nuôi | Sở Nông nghiệp và Môi trường | giấy chứng nhận đủ điều kiện chăn nuôi; thức ăn chăn nuôi | Luật Chăn nuôi số 32/2018/QH14
thu-y | Thú y | Sở Nông nghiệp và Môi trường | chứng chỉ hành nghề thú y; giấy chứng nhận kiểm dịch động vật | Luật Thú y số 79/2015/QH13
thuy-san | Thủy sản | Sở Nông nghiệp và Môi trường | giấy phép khai thác thủy sản; tàu cá | Luật Thủy sản số 18/2017/QH14
lam-nghiep | Lâm nghiệp | Sở Nông nghiệp và Môi trường | giấy phép khai thác gỗ rừng trồng; chuyển loại rừng | Luật Lâm nghiệp số 16/2017/QH14
van-hoa | Văn hóa | Sở Văn hóa, Thể thao và Du lịch | giấy phép tổ chức lễ hội; giấy phép kinh doanh dịch vụ karaoke | Nghị định số 54/2019/NĐ-CP
du-lich | Du lịch | Sở Văn hóa, Thể thao và Du lịch | giấy phép kinh doanh dịch vụ lữ hành nội địa; thẻ hướng dẫn viên du lịch | Luật Du lịch số 09/2017/QH14
the-thao | Thể dục thể thao | Sở Văn hóa, Thể thao và Du lịch | giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao | Luật Thể dục, thể thao số 77/2006/QH11
bao-chi | Báo chí | Sở Văn hóa, Thể thao và Du lịch | giấy phép xuất bản bản tin; giấy phép hoạt động báo chí | Luật Báo chí số 103/2016/QH13
xuat-ban | Xuất bản, in và phát hành | Sở Văn hóa, Thể thao và Du lịch | giấy phép hoạt động in; giấy phép xuất bản tài liệu không kinh doanh | Luật Xuất bản số 19/2012/QH13
ton-giao | Tôn giáo | Sở Dân tộc và Tôn giáo | sinh hoạt tôn giáo tập trung; tổ chức cuộc lễ ngoài cơ sở tôn giáo | Luật Tín ngưỡng, tôn giáo số 02/2016/QH14
"""
SECTORS = [
    {
        "code": code,
        "name": name,
        "department": department,
        "objects": objects.split("; "),
        "legal_basis": basis,
    }
    for code, name, department, objects, basis in (
        line.split(" | ") for line in SECTOR_TABLE.strip().splitlines()
    )
]

# The content of every version: 2 fees (name, amounts in đồng, one drawn), 4 components, 5 form fields, 4 steps
# (the assessment's days, None here, are what the processing time leaves).
FEES = [
    ("Lệ phí", [0, 20_000, 50_000, 100_000]),
    ("Phí thẩm định hồ sơ", [0, 150_000, 300_000, 500_000, 1_000_000]),
]
COMPONENTS: list[dict[str, Any]] = [
    {"name": "Tờ khai theo mẫu", "copies": 1, "file_types": ["pdf", "docx"]},
    {
        "name": "Bản sao Thẻ căn cước hoặc giấy tờ tùy thân có ảnh",
        "copies": 1,
        "file_types": ["pdf", "jpg", "png"],
    },
    {
        "name": "Giấy tờ chứng minh đủ điều kiện theo quy định",
        "copies": 2,
        "file_types": ["pdf", "jpg", "png"],
    },
    {"name": "Văn bản ủy quyền (trường hợp nộp thay)", "required": False, "copies": 1, "file_types": ["pdf"]},
]
FORM_FIELDS: list[dict[str, Any]] = [
    {"name": "full_name", "label": "Họ và tên", "type": "text", "required": True},
    {"name": "id_number", "label": "Số định danh cá nhân", "type": "text", "required": True},
    {"name": "phone", "label": "Số điện thoại", "type": "phone", "required": True},
    {"name": "address", "label": "Địa chỉ thường trú", "type": "textarea"},
    {
        "name": "delivery",
        "label": "Hình thức nhận kết quả",
        "type": "select",
        "required": True,
        "choices": ["Trực tuyến", "Tại bộ phận một cửa", "Qua dịch vụ bưu chính"],
    },
]
STEPS: list[tuple[str, str, Decimal | None]] = [
    ("Tiếp nhận hồ sơ", "receiver", Decimal("0.5")),
    ("Thẩm định hồ sơ", "assessor", None),
    ("Phê duyệt kết quả", "approver", Decimal(1)),
    ("Trả kết quả", "receiver", Decimal("0.5")),
]

# Searches as citizens type them, without diacritics; the first is the one the issue names.
SEARCHES = [
    "dang ky",
    "cap lai",
    "giay phep xay dung",
    "khai sinh",
    "ho kinh doanh",
    "gia han giay phep",
    "quyen su dung dat",
    "thu hoi",
    "dieu chinh",
    "ket hon",
    "ly lich tu phap",
    "an toan thuc pham",
]
EXPLAINED_SEARCHES = ["dang ky", "giay phep xay dung"]
# How many distinct names the vocabulary makes; procedure codes are drawn from a range twice as large.
MAX_PROCEDURES = len(VERBS) * sum(len(s["objects"]) for s in SECTORS) * len(set(QUALIFIERS))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--procedures", type=int, default=2000, help="published procedures to load (2000)")
    parser.add_argument("--runs", type=int, default=200, help="measured requests per case (200)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per case first (20)")
    parser.add_argument("--seed", type=int, default=20241122, help="seed of the catalogue and the queries")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite too (figures mean little)")
    parser.add_argument("--output", type=Path, help="the JSON file (bench/results/catalogue-<date>.json)")
    args = parser.parse_args()
    if args.procedures < 1 or args.runs < 1 or args.warmup < 0:
        parser.error("--procedures and --runs must be at least 1, --warmup at least 0")
    if args.procedures > MAX_PROCEDURES:
        parser.error(f"--procedures can be at most {MAX_PROCEDURES}, the distinct names the vocabulary makes")
    return args


# --- The bench database ---------------------------------------------------------------------------------------------


def bench_database(*, allow_sqlite: bool) -> dict[str, Any]:
    """The default database's settings, once they are known to name a bench database this script may wipe."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    engine, name = database["ENGINE"], str(database["NAME"])
    if engine.endswith("sqlite3"):
        if not allow_sqlite:
            sys.exit(
                "Refusing to run on SQLite: set DATABASE_URL=postgres://.../portal_bench (or --allow-sqlite)."
            )
        if "bench" not in Path(name).name:
            sys.exit(f"Refusing to touch {name}: the SQLite file's name must contain 'bench'.")
    elif engine.endswith("postgresql"):
        if "bench" not in name:
            sys.exit(f"Refusing to touch the database {name!r}: its name must contain 'bench'.")
    else:
        sys.exit(f"Unsupported database engine {engine}.")
    return database


def recreate_database(database: dict[str, Any]) -> None:
    """Drop and create the bench database, so that every run starts from the same empty schema."""
    name = str(database["NAME"])
    assert "bench" in (Path(name).name if database["ENGINE"].endswith("sqlite3") else name)
    if database["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- The catalogue --------------------------------------------------------------------------------------------------


def procedure_names(rng: random.Random, count: int) -> Iterator[tuple[str, str, str]]:
    """``count`` distinct (name, sector code, object) triples, verbs and objects drawn as the catalogue has them."""
    seen: set[str] = set()
    while len(seen) < count:
        sector = rng.choice(SECTORS)
        code, obj = sector["code"], rng.choice(sector["objects"])
        name = f"{rng.choice(VERBS)} {obj}{rng.choice(QUALIFIERS)}"
        if name not in seen:
            seen.add(name)
            yield name, code, obj


def load_catalogue(*, count: int, rng: random.Random) -> dict[str, int]:
    """Agencies, sectors and ``count`` published procedures with their content, in a few bulk inserts."""
    from django.db import transaction
    from django.utils import timezone

    from procedures.constants import (
        AgencyLevel,
        CatalogueAction,
        OnlineLevel,
        ProcedureLevel,
        VersionState,
    )
    from procedures.models import (
        Agency,
        CatalogueEvent,
        Component,
        Fee,
        FormField,
        Procedure,
        ProcedureVersion,
        Sector,
        Step,
    )

    now = timezone.now()
    with transaction.atomic():
        province = Agency.objects.create(
            code=PROVINCE_AGENCY[0], name=PROVINCE_AGENCY[1], level=AgencyLevel.PROVINCE
        )
        departments = Agency.objects.bulk_create(
            Agency(code=f"H12.{i:02d}", name=name, level=AgencyLevel.DEPARTMENT, parent=province)
            for i, name in enumerate(DEPARTMENTS, start=1)
        )
        communes = Agency.objects.bulk_create(
            Agency(
                code=f"H12.{50 + i:02d}",
                name=f"Ủy ban nhân dân {'phường' if i % 4 == 0 else 'xã'} {name}",
                level=AgencyLevel.COMMUNE,
                parent=province,
            )
            for i, name in enumerate(COMMUNE_NAMES)
        )
        sectors = {
            sector.code: sector
            for sector in Sector.objects.bulk_create(Sector(code=s["code"], name=s["name"]) for s in SECTORS)
        }
        sector_rows = {s["code"]: s for s in SECTORS}
        department_by_name = {agency.name: agency for agency in departments}

        # National codes look like 1.001193 or 2.000478.
        numbers = rng.sample(range(2 * MAX_PROCEDURES), count)
        procedures = Procedure.objects.bulk_create(
            (Procedure(code=f"{1 + n % 3}.{n // 3:06d}") for n in numbers), batch_size=1000
        )
        versions = []
        for procedure, (name, sector_code, obj) in zip(procedures, procedure_names(rng, count), strict=True):
            level = rng.choices(
                [ProcedureLevel.PROVINCE, ProcedureLevel.COMMUNE, ProcedureLevel.CENTRAL], weights=[6, 3, 1]
            )[0]
            if level == ProcedureLevel.COMMUNE:
                agency = rng.choice(communes)
            elif level == ProcedureLevel.CENTRAL:
                agency = province
            else:
                agency = department_by_name[sector_rows[sector_code]["department"]]
            versions.append(
                ProcedureVersion(
                    procedure=procedure,
                    number=1,
                    state=VersionState.PUBLISHED,
                    name=name,
                    sector=sectors[sector_code],
                    level=level,
                    agency=agency,
                    processing_days=rng.choice([1, 3, 5, 7, 10, 15, 20, 30]),
                    online_level=rng.choice([OnlineLevel.FULL, OnlineLevel.PARTIAL]),
                    result=f"Quyết định thu hồi {obj}"
                    if name.startswith("Thu hồi")
                    else obj[:1].upper() + obj[1:],
                    legal_basis=sector_rows[sector_code]["legal_basis"],
                    published_at=now,
                )
            )
        versions = ProcedureVersion.objects.bulk_create(versions, batch_size=1000)
        for procedure, version in zip(procedures, versions, strict=True):
            procedure.published_version = version
        Procedure.objects.bulk_update(procedures, ["published_version"], batch_size=1000)

        fees, components, fields, steps, events = [], [], [], [], []
        for version in versions:
            fees += [
                Fee(version=version, position=i, name=name, amount=rng.choice(amounts))
                for i, (name, amounts) in enumerate(FEES)
            ]
            components += [Component(version=version, position=i, **row) for i, row in enumerate(COMPONENTS)]
            fields += [FormField(version=version, position=i, **row) for i, row in enumerate(FORM_FIELDS)]
            assess_days = max(Decimal(version.processing_days) - 2, Decimal("0.5"))
            steps += [
                Step(version=version, position=i, name=name, role=role, days=days or assess_days)
                for i, (name, role, days) in enumerate(STEPS)
            ]
            events.append(
                CatalogueEvent(
                    procedure_id=version.procedure_id, version=version, action=CatalogueAction.IMPORT
                )
            )
        for model, rows in (
            (Fee, fees),
            (Component, components),
            (FormField, fields),
            (Step, steps),
            (CatalogueEvent, events),
        ):
            model.objects.bulk_create(rows, batch_size=2000)

    return {
        "agencies": Agency.objects.count(),
        "sectors": Sector.objects.count(),
        "procedures": Procedure.objects.filter(published_version__isnull=False).count(),
        "fees": Fee.objects.count(),
        "components": Component.objects.count(),
        "form_fields": FormField.objects.count(),
        "steps": Step.objects.count(),
    }


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Measuring ------------------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value that ``fraction`` of the values do not exceed."""
    rank = max(1, round(fraction * len(sorted_values) + 0.4999999))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def measure(
    client: Any, *, urls: list[tuple[str, dict[str, str]]], accept: str, runs: int, warmup: int
) -> dict[str, Any]:
    """Request each URL in turn, ``warmup`` times unmeasured, then ``runs`` times timed with its queries counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get(i: int) -> Any:
        path, params = urls[i % len(urls)]
        return client.get(path, params, headers={"accept": accept})

    for i in range(warmup):
        response = get(i)
        assert response.status_code == 200, (urls[i % len(urls)], response.status_code)
    times, cpu_times, queries, sizes = [], [], [], []
    for i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = get(warmup + i)
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        assert response.status_code == 200, (urls[(warmup + i) % len(urls)], response.status_code)
        times.append(elapsed * 1000)
        cpu_times.append(cpu * 1000)
        queries.append(len(captured.captured_queries))
        sizes.append(len(response.content))
    ordered, cpu_ordered = sorted(times), sorted(cpu_times)
    return {
        "runs": runs,
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
        "cpu_p50_ms": round(percentile(cpu_ordered, 0.50), 2),
        "cpu_p95_ms": round(percentile(cpu_ordered, 0.95), 2),
        "queries_min": min(queries),
        "queries_max": max(queries),
        "mean_bytes": round(statistics.fmean(sizes)),
        "distinct_urls": min(len(urls), runs),
    }


def cases(rng: random.Random, runs: int) -> list[tuple[str, str, str, list[tuple[str, dict[str, str]]]]]:
    """(name, example, accepted type, URLs) of each measured case; the URLs vary over queries, sectors and codes."""
    from procedures.constants import ProcedureLevel, VersionState
    from procedures.models import Procedure, ProcedureVersion

    searches = [{"q": q} for q in SEARCHES]
    sectors = list(
        ProcedureVersion.objects.filter(state=VersionState.PUBLISHED, level=ProcedureLevel.PROVINCE)
        .values_list("sector__code", flat=True)
        .distinct()
        .order_by("sector__code")
    )
    filters = [{"sector": code, "level": "province"} for code in sectors]
    rng.shuffle(filters)
    codes = list(Procedure.objects.filter(published_version__isnull=False).values_list("code", flat=True))
    codes = rng.sample(codes, min(len(codes), runs))
    made = []
    for prefix, accept in (("/api/v1", "application/json"), ("", "text/html")):
        kind = "api" if prefix else "html"
        made += [
            (
                f"{kind} search",
                f"GET {prefix}/procedures/?q=dang ky",
                accept,
                [(f"{prefix}/procedures/", params) for params in searches],
            ),
            (
                f"{kind} filtered page",
                f"GET {prefix}/procedures/?sector={filters[0]['sector']}&level=province",
                accept,
                [(f"{prefix}/procedures/", params) for params in filters],
            ),
            (
                f"{kind} procedure page",
                f"GET {prefix}/procedures/{codes[0]}/",
                accept,
                [(f"{prefix}/procedures/{code}/", {}) for code in codes],
            ),
        ]
    return made


# --- The search's plan ----------------------------------------------------------------------------------------------


def search_plans(client: Any) -> list[dict[str, Any]]:
    """EXPLAIN ANALYZE of the SQL the search API really sends, as planned and with sequential scans disabled."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    plans = []
    for query in EXPLAINED_SEARCHES:
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v1/procedures/", {"q": query}, headers={"accept": "application/json"})
        for statement in (q["sql"] for q in captured.captured_queries if "portal_unaccent" in q["sql"]):
            kind = "count" if statement.startswith("SELECT COUNT(*)") else "page"
            entry: dict[str, Any] = {"q": query, "statement": kind, "sql": statement}
            variants = [("as_planned", "")]
            if connection.vendor == "postgresql":
                # At this size the planner may rightly prefer a scan; this shows the index can serve the query.
                variants.append(("enable_seqscan_off", "SET LOCAL enable_seqscan = off"))
            for label, setting in variants:
                with transaction.atomic(), connection.cursor() as cursor:
                    if setting:
                        cursor.execute(setting)
                    # The statement is the SQL Django itself sent, captured above.
                    if connection.vendor == "postgresql":
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")  # noqa: S608
                    else:
                        cursor.execute(f"EXPLAIN QUERY PLAN {statement}")  # noqa: S608
                    plan = "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())
                entry[label] = {"plan": plan, "uses_trigram_index": TRIGRAM_INDEX in plan}
            plans.append(entry)
    return plans


# --- Output ---------------------------------------------------------------------------------------------------------


def git_commit() -> str | None:
    head = ROOT / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if not ref.startswith("ref: "):
            return ref
        ref_path = ROOT / ".git" / ref[5:]
        if ref_path.exists():
            return ref_path.read_text().strip()
        for line in (ROOT / ".git" / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref[5:]):
                return line.split(" ", 1)[0]
    except OSError:
        return None
    return None


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'case':<20} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}"
        f" {'cpu p50':>8} {'cpu p95':>8} {'queries':>8} {'bytes':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in results:
        queries = (
            str(row["queries_min"])
            if row["queries_min"] == row["queries_max"]
            else f"{row['queries_min']}-{row['queries_max']}"
        )
        print(
            f"{row['case']:<20} {row['runs']:>5} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
            f"{row['mean_ms']:>8.2f} {row['max_ms']:>8.2f} {row['cpu_p50_ms']:>8.2f} {row['cpu_p95_ms']:>8.2f} "
            f"{queries:>8} {row['mean_bytes']:>7}"
        )
    print()
    for row in results:
        print(f"  {row['case']:<20} e.g. {row['example']}")


def timed(label: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = action()
    print(f"{label}: {time.perf_counter() - start:.1f} s")
    return value


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    database = bench_database(allow_sqlite=args.allow_sqlite)
    rng = random.Random(args.seed)
    print(f"Bench database: {connection.vendor} {database['NAME']}")
    timed("Drop and create", lambda: recreate_database(database))
    timed("Migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
    counts = timed(
        f"Load {args.procedures} procedures", lambda: load_catalogue(count=args.procedures, rng=rng)
    )
    print("  " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    timed("ANALYZE", analyze)

    client = Client()
    load_before = os.getloadavg()
    results = []
    for name, example, accept, urls in cases(rng, args.runs):
        row = measure(client, urls=urls, accept=accept, runs=args.runs, warmup=args.warmup)
        results.append({"case": name, "example": example, **row})
    load_after = os.getloadavg()
    print()
    print_table(results)
    print(f"\nLoad average (1, 5, 15 min) before: {load_before}, after: {load_after}, CPUs: {os.cpu_count()}")

    plans = search_plans(client)
    for entry in plans:
        print(f"\nEXPLAIN of the search q={entry['q']!r}, its {entry['statement']} query:\n  {entry['sql']}")
        for label in ("as_planned", "enable_seqscan_off"):
            if label in entry:
                uses = "uses" if entry[label]["uses_trigram_index"] else "does not use"
                print(f"\n-- {label}: {uses} {TRIGRAM_INDEX}\n{entry[label]['plan']}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        server = cursor.fetchone()[0]
    report = {
        "benchmark": "catalogue",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "database": {"vendor": connection.vendor, "name": str(database["NAME"]), "server": server},
        "python": platform.python_version(),
        "django": django.get_version(),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
        },
        "parameters": {
            "procedures": args.procedures,
            "runs": args.runs,
            "warmup": args.warmup,
            "seed": args.seed,
        },
        "rows": counts,
        "results": results,
        "search_plans": plans,
    }
    output = args.output or RESULTS / f"catalogue-{timezone.localdate().isoformat()}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {output}")


if __name__ == "__main__":
    main()
