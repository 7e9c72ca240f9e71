"""Thumbnails: page 1 of a PDF and scaled pictures, as PNG in the content-addressed store."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from libcoop.repository import demo_pdfs, storage, thumbnails
from tests.repository.files_world import a_file

pytestmark = pytest.mark.django_db


def test_page_one_of_a_pdf_becomes_a_png_in_the_store() -> None:
    pdf = demo_pdfs.text_pdf("ห้องสมุดสีเขียว", ["หน้าแรก", "หน้าสอง"], page_breaks=[1])
    f = a_file(pdf)
    sha = thumbnails.make_thumbnail(f)
    f.refresh_from_db()
    assert f.thumbnail_sha256 == sha
    png = Image.open(io.BytesIO(storage.read_bytes(sha)))
    assert png.format == "PNG"
    assert png.width == thumbnails.WIDTH
    assert 420 <= png.height <= 425  # A4's proportions
    # not blank: the heading is drawn
    assert png.convert("L").getextrema()[0] < 100
    # again: same PNG, stored once
    assert thumbnails.make_thumbnail(f) == sha


def test_a_picture_is_scaled_and_an_office_file_has_none() -> None:
    big = io.BytesIO()
    Image.new("RGB", (2400, 1200), "green").save(big, format="JPEG")
    photo = a_file(big.getvalue(), name="photo.jpg")
    sha = thumbnails.make_thumbnail(photo)
    assert Image.open(io.BytesIO(storage.read_bytes(sha))).size == (300, 150)

    text = a_file("บันทึกการประชุม".encode(), name="minutes.txt")
    assert thumbnails.make_thumbnail(text) == ""
    text.refresh_from_db()
    assert text.thumbnail_sha256 == ""


def test_a_damaged_pdf_gets_no_thumbnail_and_no_error() -> None:
    f = a_file(b"%PDF-1.7\nnot really a PDF\n", name="broken.pdf")
    assert thumbnails.make_thumbnail(f) == ""
