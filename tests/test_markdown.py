"""render_markdown: the one way user text becomes HTML."""

from lms.markdown import render_markdown


def test_markdown_renders_japanese_and_lists():
    html = render_markdown("# 目標\n- 待ち時間を**半減**する")
    assert "<h3>目標</h3>" in html  # below the page's own h1/h2
    assert "<li>待ち時間を<strong>半減</strong>する</li>" in html


def test_raw_html_and_scripts_show_as_text_never_as_markup():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(1)">本文')
    assert "<script" not in html and "<img" not in html
    # What the person typed stays readable (issue 14: it used to vanish).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x" in html
    assert "本文" in html


def test_javascript_links_are_neutralised():
    html = render_markdown("[押して](javascript:alert(1)) [data](data:text/html,x)")
    assert "javascript:" not in html and "data:text" not in html


def test_safe_links_get_rel_noopener():
    html = render_markdown("[東京都](https://www.metro.tokyo.lg.jp/)")
    assert 'href="https://www.metro.tokyo.lg.jp/"' in html
    assert "noopener" in html


def test_empty_text():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_a_list_right_after_a_line_is_still_a_list():
    html = render_markdown("次回までに共有:\n- 窓口の待ち時間\n- 申請件数")
    assert "<li>窓口の待ち時間</li>" in html and "- 申請件数" not in html
    numbered = render_markdown("手順\n1. 調べる\n2. 共有する")
    assert "<ol>" in numbered


def test_dashes_inside_code_are_left_alone():
    html = render_markdown("```\nline\n- not a list\n```")
    assert "- not a list" in html
