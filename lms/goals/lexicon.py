"""Vocabulary of the goal checker: regex fragments and verb lemmas per logic-model cue kind."""

from __future__ import annotations

# Each entry is a regex alternative matched on NFKC text (Japanese) or lower-cased text
# (English). Keep them general word classes, never whole sentences: the checker is judged on
# unseen statements. Longer alternatives first so compounds win over their parts.

# 活動: things the organisation does. Reached by the organisation alone (trainer's rule).
MEANS_WORDS = [
    r"導入(?![前後時])", r"構築", r"整備", r"実施(?!前)", r"開催", r"設置", r"策定", r"制定",
    r"配布", r"配備", r"配置", r"開始", r"移行", r"拡大", r"対応", r"活用", r"運用",
    r"育成", r"集約", r"提供", r"完了", r"完成", r"推進", r"改革", r"設立", r"創設",
    r"蓄積", r"展開", r"作成", r"開発", r"実装", r"着手", r"連携", r"用意", r"準備", r"周知",
    r"啓発", r"支援", r"研修", r"講習", r"廃止", r"撤廃", r"刷新", r"更新", r"統合", r"共同化",
    r"契約", r"調達", r"購入", r"採用", r"設計", r"構想", r"検討", r"取り?組(?:み|む)?",
    r"デザインし", r"アンケートを(?:実施|取る|行う)",
    # methods named by 〜化 (the guide's method-化 nouns)
    r"(?:電子|デジタル|オンライン|ペーパーレス|キャッシュレス|タッチレス|スマート|クラウド|標準|"
    r"ワンストップ|自動|機械|共通|一元|システム|ICT|IT|AI|RPA|データ|はんこレス|ハンコレス|"
    r"押印レス|見える|可視|統一|共同|ブランド|フラット|集中|外部|民間委託|アウトソーシング|"
    r"内製|無線|LAN|Wi-?Fi|キオスク|情報)化",
    r"(?:仕組み|システム|体制|基盤|環境|ルール|計画|アプリ|サイト|窓口)を(?:つく|作|創)",
    r"使え(?:る|るよう)", r"使用でき", r"DXを(?:推進|進め|実現|行)",
    # English
    r"\bintroduc\w*", r"\bimplement\w*", r"\bdeploy\w*", r"\binstall\w*", r"\bbuild\w*",
    r"\bdevelop\w*", r"\blaunch\w*", r"\badopt\w*", r"\bdigiti[sz]\w*", r"\bmigrat\w*",
    r"\broll(?:ing)? out", r"\bset(?:ting)? up", r"\bestablish\w*", r"\bhold\b", r"\bconduct\w*",
    r"\bprovid\w*", r"\bpromot\w*", r"\bcreat\w*", r"\bexpand\w*", r"\btrain(?:ing)?\b",
    r"\bpaperless\b", r"\bautomat\w*",
]
# Colloquial / native verbs of doing, matched on the lemma so conjugation does not matter.
MEANS_VERBS = {
    "入れる", "やる", "築く", "整える", "設ける", "進める", "行う", "始める", "定める", "使う",
    "配る", "揃える", "取り入れる", "立ち上げる", "置く", "やめる", "止める", "変える", "作る",
    "造る", "集める", "作り変える", "切り替える", "切り替え", "変更", "移す",
}

# Supply-side indicator words: counts/rates of the organisation's own output (アウトプット指標).
SUPPLY_WORDS = [
    r"研修(?:参加|受講)?", r"講習会?(?:参加|受講)?", r"セミナー(?:参加)?", r"受講", r"カバー",
    r"発行", r"電子決定", r"対応", r"登録団体", r"導入団体", r"整備", r"取組", r"化した",
    r"\bcoverage\b", r"\bprocedures? (?:online|digiti[sz]ed)",
]

# Demand-side words: beneficiaries' use, time, burden, perception (アウトカム指標).
DEMAND_WORDS = [
    r"利用", r"申請(?!書)", r"満足", r"待ち", r"来庁", r"来所", r"来館", r"作業時間", r"残業",
    r"閲読", r"読む", r"宿泊", r"来訪", r"訪問", r"観光", r"意見", r"参加", r"回答", r"答え",
    r"感じ", r"思う", r"実感", r"相談", r"負担", r"手間", r"記入", r"移動", r"外出", r"通院",
    r"受診", r"就労", r"就職", r"定住", r"移住", r"転入", r"処理時間", r"所要時間", r"待機",
    r"納付", r"投票率", r"解決", r"活用して(?:いる|いた)",
    r"\busage\b", r"\buse\b", r"\busers?\b", r"\bsatisf\w*", r"\bwait\w*", r"\bvisits?\b",
]

# People whose situation should change (slot: beneficiary). Longest first.
BENEFICIARY_WORDS = [
    "子育て世帯", "児童生徒", "ひとり親", "保護者", "高齢者", "障害者", "障がい者", "外国人",
    "事業者", "来庁者", "申請者", "利用者", "教職員", "住民", "市民", "区民", "町民", "村民",
    "県民", "都民", "府民", "道民", "国民", "職員", "教員", "児童", "生徒", "学生", "子ども",
    "子供", "こども", "家族", "世帯", "企業", "学校", "患者", "観光客", "旅行者", "宿泊者",
    "みなさん", "皆さん", "誰も", "だれも", "誰でも", "利用者", "親",
    "residents", "resident", "citizens", "citizen", "staff", "employees", "users", "businesses",
    "parents", "pupils", "students",
]

# Change-of-state predicates. decrease: burden/time/visits go down.
OUT_DEC_WORDS = [
    r"削減", r"短縮", r"半減", r"軽減", r"減少", r"低減", r"解消", r"抑制", r"ゼロ(?:に|と|化)?",
    r"悪化さ?せ(?:ない|ず)", r"負担減", r"不要に", r"なくな", r"無くな", r"少なくな", r"短くな",
    r"\breduc\w*", r"\bcut\w*", r"\bshorten\w*", r"\bhalv\w*", r"\bdecreas\w*", r"\blower\w*",
    r"\beliminat\w*", r"\bsav(?:e|es|ing)\b", r"\bno longer\b",
]
OUT_DEC_VERBS = {
    "減らす", "減る", "縮める", "縮まる", "省く", "抑える", "下げる", "下がる", "なくす", "無くす",
    "なくなる", "無くなる", "防ぐ", "和らげる", "縮む",
}
# increase: use, satisfaction, skills, participation go up.
OUT_INC_WORDS = [
    r"向上", r"増加", r"倍増", r"拡充", r"上昇", r"アップ",
    r"\bincreas\w*", r"\bimprov\w*", r"\braise\w*", r"\bboost\w*", r"\bgrow\w*",
]
OUT_INC_VERBS = {"増やす", "増える", "高める", "高まる", "上げる", "上がる", "伸ばす", "伸びる",
                 "広げる", "広がる"}
# Improvement of something: an outcome when it names a metric or people, else a process change.
IMPROVE_WORDS = [r"改善", r"見直し", r"見直す", r"\brevis\w*", r"\breform\w*"]
# Effect-化 nouns and felt improvements.
OUT_EFF_WORDS = [
    r"効率化", r"迅速化", r"省力化", r"円滑化", r"簡素化", r"簡略化", r"高速化", r"短時間化",
    r"負担軽減", r"迅速に", r"スムーズに(?:な|す)", r"(?:楽|便利|快適|簡単|早く|速く)に(?:な|す)",
    r"\bfaster\b", r"\beasier\b", r"\bquicker\b",
]
# People as subject: できる・済む・感じる… (beneficiaries' state or perception).
PEOPLE_WORDS = [
    r"済む", r"済ん", r"済ませ", r"受けられ", r"実感", r"お返し", r"還元", r"取り戻",
    r"(?:でき|出来)るようにな", r"(?:でき|出来)るようになっ", r"と(?:感じ|思|答え|回答)",
    r"\bable to\b", r"\bfeel\w*", r"\bsatisfied\b",
]
PEOPLE_VERBS = {"済む", "感じる", "思う", "答える", "喜ぶ", "暮らす", "楽しむ", "返す", "戻す",
                "助かる", "届く", "使いこなす", "活躍"}
# Verbs describing a burden; negated (待たない, 来なくて済む) they describe an outcome.
BURDEN_VERBS = {"待つ", "並ぶ", "来る", "行く", "書く", "出向く", "訪れる", "通う", "迷う",
                "困る", "悩む", "運ぶ", "持参", "来庁", "記入", "移動", "探す", "休む"}
BURDEN_NEG_WORDS = [r"(?:来庁|来所|記入|持参|移動|外出|押印)(?:し|せ)(?:ない|ず|なく)"]

# インパクト: visions of residents' lives and the town.
IMPACT_WORDS = [
    r"住み続け", r"暮らし", r"暮らせ", r"豊か", r"幸せ", r"幸福", r"ウェルビーイング",
    r"well-?being", r"恩恵", r"魅力", r"活力", r"にぎわ", r"賑わ", r"安心して", r"誇り", r"笑顔",
    r"生きがい", r"持続・?発展", r"選ばれる(?:まち|都市|市|町)", r"(?:まち|都市|街|地域|社会|未来)を(?:つく|作|創)",
    r"まちづくり", r"活性化", r"\bthriving\b", r"\bquality of life\b",
]

# Weak means nouns: tools and channels. Used only when no predicate cue decides.
THING_WORDS = [
    r"電子申請", r"オンライン(?:申請|手続)?", r"ペーパーレス", r"キャッシュレス", r"システム",
    r"RPA", r"AI", r"OCR", r"ツール", r"アプリ", r"DX", r"ICT", r"IoT", r"クラウド", r"端末",
    r"タブレット", r"チャットボット", r"LINE", r"マイナンバー", r"マイナポータル", r"ガバメント",
    r"電子行政", r"電子自治体", r"インターネット投票", r"ネット投票", r"電子投票", r"ホームページ",
    r"Web会議", r"テレワーク", r"基盤", r"ネットワーク", r"デジタル", r"サービス",
    r"\bsystem\b", r"\bapp\b", r"\btool\b", r"\bplatform\b", r"\be-\w+",
]
# Paper and stamps: removing them is a method (guide step 6), unless people's burden is named.
PAPER_WORDS = [r"紙", r"ハンコ", r"はんこ", r"押印", r"印鑑", r"FAX", r"ファクス", r"\bpaper\b"]

# Metric heads (slot: metric). A metric decides the verdict when it is the last cue.
METRIC_WORDS = [
    r"満足度", r"理解度", r"認知度", r"利用率", r"割合", r"件数", r"人数", r"者数", r"回数",
    r"時間", r"日数", r"期間", r"箇所数", r"団体数", r"地域数", r"手続数", r"事務数", r"校数",
    r"(?<![多複少係])数(?![値字])", r"率", r"比率",
    r"\brate\b", r"\bshare\b", r"\bnumber of\b", r"\bpercentage\b", r"\btime\b",
]

# Transparent predicates: they pass the decision to their object (Xを実現 / Xを達成 / Xにする).
# They are simply not cues, listed here to document the choice.
TRANSPARENT = ["実現", "達成", "目指す", "図る", "確保", "注力", "努める", "にする", "とする"]

# Placeholders that are not goals (guide step 1).
PLACEHOLDERS = [
    "未定", "なし", "無し", "特になし", "特に無し", "検討中", "調整中", "TBD", "TBA", "N/A",
    "未記入", "あとで", "後で", "〇〇", "○○", "XX", "xx", "ー", "-", "test", "テスト",
]
