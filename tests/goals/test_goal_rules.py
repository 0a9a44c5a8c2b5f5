"""Unit tests for the goal checker rules: verdict, reasons, slots, level, suggestion, contract."""

from __future__ import annotations

import threading

import pytest

from lms.goals import MAX_GOAL_CHARS, GoalResult, check_goal

CONTRACT_KEYS = {"verdict", "reasons", "suggestion", "level", "slots", "goals"}
SLOT_KEYS = {"beneficiary", "metric", "target", "deadline", "baseline"}


@pytest.mark.parametrize(
    "text",
    [
        "電子申請をする",
        "RPAを導入する",
        "窓口にタブレットを設置する",
        "業務システムをクラウドに移行する",
        "行政手続のオンライン化を進める",
        "ハンコをなくす",
        "新しい予約システムを入れる",
        "Introduce an e-application system for all procedures",
    ],
)
def test_method_verbs_on_means_nouns_are_means(text: str) -> None:
    res = check_goal(text)
    assert res.verdict == "means"
    assert res.reasons, "every means verdict carries a reason"
    assert res.level in ("活動", "アウトプット")


@pytest.mark.parametrize(
    "text",
    [
        "窓口の待ち時間を短縮する",
        "職員の残業時間を月10時間減らす",
        "市民満足度を80%に高める",
        "住民が窓口に来なくて済むようにする",
        "高齢者がスマートフォンで手続きできるようになる",
        "問い合わせ電話の件数を3割減らす",
        "介護認定の事務を迅速化する",
        "Reduce average waiting time at the counter by 50%",
    ],
)
def test_change_of_state_is_outcome(text: str) -> None:
    res = check_goal(text)
    assert res.verdict == "outcome"
    assert res.level in ("アウトカム", "インパクト")


def test_reason_quotes_the_deciding_words() -> None:
    res = check_goal("電子申請をする")
    assert any("『電子申請をする』" in r and "手段" in r for r in res.reasons)


def test_purpose_clause_does_not_make_an_outcome() -> None:
    res = check_goal("職員の残業をなくすためにRPAを導入する")
    assert res.verdict == "means"
    assert any("目的" in r for r in res.reasons)
    # The rewrite keeps the user's purpose as the goal and the means as 施策.
    assert res.suggestion is not None
    assert "職員の残業をなくす" in res.suggestion and "RPA" in res.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "住民サービス向上に向けてAIを活用する",
        "待ち時間短縮のため、窓口予約システムを導入する",
        "誰でも手続ができるよう行政の仕組みの改革を進める",
    ],
)
def test_purpose_markers_are_stripped(text: str) -> None:
    assert check_goal(text).verdict == "means"


def test_means_plus_outcome_is_outcome_with_means_as_policy() -> None:
    res = check_goal("電子申請を導入し、窓口の待ち時間を半減する")
    assert res.verdict == "outcome"
    assert any("施策" in r and "電子申請" in r for r in res.reasons)


def test_negated_means_then_outcome() -> None:
    res = check_goal("電子申請をすることが目標ではなく、住民の来庁回数を減らすことが目標")
    assert res.verdict == "outcome"


def test_negated_means_alone_is_not_a_means_goal() -> None:
    assert check_goal("新しいシステムは入れない").verdict == "unclear"


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("オンライン化率を80%にする", "means"),
        ("オンライン利用率を60%にする", "outcome"),
        ("研修参加者数を200人にする", "means"),
        ("電子申請の利用件数を年間1万件にする", "outcome"),
        ("2025年度末までに行政手続の80%をオンライン化する", "means"),
        ("電子申請の対象手続を増やす", "means"),
        ("電子申請の件数を増やす", "outcome"),
    ],
)
def test_supply_versus_demand_metrics(text: str, verdict: str) -> None:
    assert check_goal(text).verdict == verdict


def test_supply_metric_reason_names_output_indicator() -> None:
    res = check_goal("2026年度までにペーパーレス化率を80%にする")
    assert res.verdict == "means"
    assert res.level == "アウトプット"
    assert any("アウトプット" in r for r in res.reasons)


def test_impact_level() -> None:
    res = check_goal("デジタルの恩恵をすべての市民に行きわたらせ、魅力あふれる都市をつくる")
    assert res.verdict == "outcome"
    assert res.level == "インパクト"


def test_level_for_activity_and_outcome() -> None:
    assert check_goal("RPAを導入する").level == "活動"
    assert check_goal("窓口の待ち時間を半減する").level == "アウトカム"
    assert check_goal("???").level is None


def test_slots_are_found() -> None:
    res = check_goal("2026年3月までに転入手続の平均待ち時間を60分から20分以下に短縮する")
    assert res.slots["deadline"] is not None and "2026年3月" in res.slots["deadline"]
    assert res.slots["metric"] == "平均待ち時間"
    assert res.slots["baseline"] == "60分から"
    assert res.slots["target"] is not None and "20分以下" in res.slots["target"]


def test_slots_beneficiary_and_missing_slots_reported() -> None:
    res = check_goal("市民満足度の向上")
    assert res.verdict == "outcome"
    assert res.slots["beneficiary"] == "市民"
    assert res.slots["target"] is None and res.slots["deadline"] is None
    assert any("目標値" in r and "期限" in r for r in res.reasons)
    assert res.suggestion is not None and "〔目標値〕" in res.suggestion


@pytest.mark.parametrize("deadline", ["令和8年度までに", "R7年度までに", "2025年度末までに"])
def test_deadline_forms(deadline: str) -> None:
    res = check_goal(f"{deadline}窓口の待ち時間を半減する")
    assert res.slots["deadline"] is not None


def test_suggestion_is_built_from_users_words() -> None:
    res = check_goal("電子申請をする")
    assert res.suggestion is not None
    assert "電子申請" in res.suggestion
    assert "住民" in res.suggestion and "減らす" in res.suggestion
    # Numbers the user must fill are marked, never invented.
    assert "〔" in res.suggestion


def test_suggestion_keeps_users_deadline() -> None:
    res = check_goal("AIチャットボットを2025年度中に導入する")
    assert res.verdict == "means"
    assert res.suggestion is not None and "2025年度" in res.suggestion
    assert "AIチャットボット" in res.suggestion


def test_good_outcome_goal_needs_no_suggestion() -> None:
    res = check_goal("2026年度末までに窓口の平均待ち時間を60分から20分に短縮する")
    assert res.verdict == "outcome"
    assert res.suggestion is None


def test_per_sentence_judgement_and_aggregation() -> None:
    res = check_goal("RPAを導入する。職員の残業時間を月20時間減らす。")
    assert res.verdict == "outcome"
    assert [g.verdict for g in res.goals] == ["means", "outcome"]
    assert any(r.startswith("【1文目】") for r in res.reasons)
    assert any(r.startswith("【2文目】") for r in res.reasons)


def test_bullet_lines_are_separate_goals() -> None:
    res = check_goal("・電子申請を導入する\n・ペーパーレス化を進める")
    assert res.verdict == "means"
    assert len(res.goals) == 2
    assert [g.text for g in res.goals] == ["電子申請を導入する", "ペーパーレス化を進める"]


def test_background_sentences_do_not_decide() -> None:
    text = (
        "窓口は繁忙期に大変混雑していた。他市では予約システムを導入している。"
        "私たちの目標は、2026年度までに繁忙期の待ち時間を半減することとする。"
    )
    res = check_goal(text)
    assert res.verdict == "outcome"
    assert res.goals[0].verdict == "unclear"


def test_to_dict_has_exactly_the_contract_keys() -> None:
    d = check_goal("電子申請を導入し、窓口の待ち時間を半減する").to_dict()
    assert set(d) == CONTRACT_KEYS
    assert set(d["slots"]) == SLOT_KEYS
    assert isinstance(d["reasons"], list) and all(isinstance(r, str) for r in d["reasons"])
    assert len(d["goals"]) == 1
    assert CONTRACT_KEYS <= set(d["goals"][0])
    assert d["goals"][0]["goals"] == []


@pytest.mark.parametrize("text", ["", "   ", "\u3000\n\t", "\x00\x07"])
def test_empty_or_whitespace_is_unclear_with_reason(text: str) -> None:
    res = check_goal(text)
    assert res.verdict == "unclear"
    assert res.reasons
    assert res.suggestion is None


@pytest.mark.parametrize("text", ["???", "目標:未定", "🎉🎉🎉", "asdf", "これでいいですか?"])
def test_garbage_placeholder_question_are_unclear(text: str) -> None:
    assert check_goal(text).verdict == "unclear"


def test_full_width_digits_and_letters() -> None:
    half = check_goal("市民満足度を70%以上にする")
    full = check_goal("市民満足度を７０％以上にする")
    assert full.verdict == half.verdict == "outcome"
    assert full.slots["target"] == half.slots["target"] == "70%以上"
    assert check_goal("ＡＩ－ＯＣＲを２０２５年度に導入").verdict == "means"


def test_half_width_kana_and_kana_variants() -> None:
    assert check_goal("ｵﾝﾗｲﾝ申請の利用率を50%にする").verdict == "outcome"
    assert check_goal("待ち時間をへらす").verdict == "outcome"


def test_emoji_and_control_characters_do_not_change_the_verdict() -> None:
    res = check_goal("窓口の待ち時間を\u200b半減する🎉\x07")
    assert res.verdict == "outcome"


def test_english_and_mixed_script() -> None:
    assert check_goal("Introduce RPA to reduce overtime").verdict == "means"
    assert check_goal("Increase the online usage rate to 60% by 2026").verdict == "outcome"
    assert check_goal("e-Applicationの利用率を2025年度に50%にする").verdict == "outcome"


def test_long_input_is_bounded() -> None:
    text = "窓口の待ち時間を半減する。" * 1000
    res = check_goal(text)
    assert res.verdict == "outcome"
    assert len(res.goals) <= 20
    assert MAX_GOAL_CHARS == 2000


def test_result_type_and_determinism() -> None:
    a = check_goal("RPAを導入する")
    b = check_goal("RPAを導入する")
    assert isinstance(a, GoalResult)
    assert a.to_dict() == b.to_dict()


def test_thread_safe_concurrent_calls() -> None:
    texts = ["RPAを導入する", "窓口の待ち時間を半減する", "市民満足度の向上"] * 10
    expected = [check_goal(t).verdict for t in texts]
    got: list[list[str]] = []

    def work() -> None:
        got.append([check_goal(t).verdict for t in texts])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [expected] * 4


def test_no_flask_import() -> None:
    import subprocess
    import sys

    code = (
        "import sys, lms.goals; lms.goals.check_goal('RPAを導入する'); "
        "print('flask' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- issue #16: the classes of goals people actually write (general rules, not lookups)


@pytest.mark.parametrize(
    ("text", "verdict", "word"),
    [
        # indicator phrases without a verb: whose number is it?
        ("市内の新規就農者数 年20人", "outcome", "就農"),
        ("観光客の平均宿泊数 1.5泊【2030年】", "outcome", "宿泊"),
        ("2035年 人口5万人を維持", "outcome", "人口"),
        ("出前講座の開催回数", "means", "開催"),
        ("公募委員を置いた審議会の割合", "means", "公募"),
        ("介護保険の認定にかかる期間を30日以内にする", "outcome", "期間"),
        # means, then the outcome it should bring: the last clause governs
        ("RPAを入れて、月末の集計が半日で終わるようにする", "outcome", "半日で終わ"),
        # people's state or capability as the goal
        ("子育て世帯の7割が保育園の申込みをスマホで済ませている状態", "outcome", "済ませ"),
        ("区民は、デジタル化によって、窓口に行かずに必要な手続を終えられる", "outcome", "行かず"),
        ("全職員がWeb会議を使えるようにする", "means", "使え"),
        # changes in people's abilities or other actors' behaviour
        ("職員のデータ活用力の向上", "outcome", "活用力"),
        ("オープンデータの活用により、地元企業が新しいサービスを生み出す", "outcome", "地元企業"),
        ("担当者がラクになる", "outcome", "ラク"),
        # loan words and English verbs are means
        ("kintoneをdeployする", "means", "deploy"),
        ("RPAをローンチする", "means", "ローンチ"),
        ("2026年3月までに、子育て関連の申請の50%が来庁せずにオンラインで完了している",
         "outcome", "完了"),
    ],
)
def test_issue_16_classes(text: str, verdict: str, word: str) -> None:
    res = check_goal(text)
    assert res.verdict == verdict, res.reasons
    assert word in res.reasons[0], res.reasons  # the reason names the deciding words


def test_means_first_outcome_last_notes_the_means_as_a_measure() -> None:
    res = check_goal("RPAを入れて、月末の集計が半日で終わるようにする")
    assert any("施策" in r and "RPA" in r for r in res.reasons)
    assert "（施策：RPAの導入）" in res.suggestion


def test_vague_informal_outcome_asks_what_to_measure() -> None:
    res = check_goal("担当者がラクになる")
    assert res.verdict == "outcome"
    assert any("指標" in r for r in res.reasons)


def test_evidence_places_the_goal_on_the_logic_model() -> None:
    res = check_goal("RPAを入れて、月末の集計が半日で終わるようにする")
    levels = [lvl for lvl, _ in res.evidence]
    assert levels == ["活動", "アウトカム"]
    assert "RPA" in res.evidence[0][1]
    assert "evidence" not in res.to_dict()
