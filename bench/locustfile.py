"""The users of the load benchmark (``bench/load.py``): people browsing the public pages and
searching the union catalog in Thai and English, each waiting 0.5-2 s between clicks.

Run by ``bench/load.py`` against a server on 127.0.0.1 only; the cluster ids to open come in
``LIBCOOP_LOAD_CLUSTERS`` (comma-separated).
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

PAGES = [
    "/",
    "/networks/",
    "/networks/GLN/",
    "/networks/PULINET/",
    "/institutions/MFU-LIB/",
    "/institutions/CMU-LIB/",
    "/events/",
    "/knowledge/",
    "/outreach/",
    "/greenlib/",
]
THAI = ["ห้องสมุด", "การจัดการ", "สิ่งแวดล้อม", "ประเทศไทย", "น้ำ", "ป่า", "พลังงาน", "สมชาย"]
ENGLISH = ["history", "management", "environmental policy", "library", "energy", "thailand"]
CLUSTERS = [c for c in os.environ.get("LIBCOOP_LOAD_CLUSTERS", "").split(",") if c]


class Reader(HttpUser):
    wait_time = between(0.5, 2.0)

    @task(4)
    def page(self) -> None:
        path = random.choice(PAGES)
        self.client.get(path, name=path)

    @task(3)
    def search_thai(self) -> None:
        self.client.get("/catalog/", params={"q": random.choice(THAI)}, name="search (Thai)")

    @task(3)
    def search_english(self) -> None:
        self.client.get("/catalog/", params={"q": random.choice(ENGLISH)}, name="search (English)")

    @task(1)
    def cluster(self) -> None:
        if CLUSTERS:
            pk = random.choice(CLUSTERS)
            self.client.get(f"/catalog/clusters/{pk}/", name="/catalog/clusters/<id>/")
