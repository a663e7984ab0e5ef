"""Glossary concepts found in a text: all of them for scoring, the outermost in order for readers."""

from matchmaker.knowledge.concepts import load_concepts


def concept(zh: str) -> int:
    terms = load_concepts().terms
    return int(terms.index[terms["zh"] == zh][0])


def test_outermost_leaves_out_a_spelling_found_only_inside_a_longer_one_and_keeps_the_text_s_order():
    concepts = load_concepts()
    text = "公司生产锂离子电池单体和电池模组，用于电动大巴。"
    everything = concepts.find(text)
    outer = concepts.outermost(text)
    assert concept("单体") in everything and concept("单体") not in outer  # inside 电池单体
    assert set(outer) < set(everything) and len(outer) == len(set(outer))
    # overlapping but neither inside the other: both kept, in the order the text names them
    assert outer.index(concept("锂离子电池")) < outer.index(concept("电池单体")) < outer.index(concept("电池模组"))


def test_outermost_follows_find_s_word_rules():
    concepts = load_concepts()
    for text in ("Wir fertigen Batteriezellen und Batteriemodule.", "We supply battery cells and battery modules."):
        assert set(concepts.outermost(text)) <= set(concepts.find(text))
        assert concepts.outermost(text)
    assert concepts.outermost("") == [] == concepts.find("")


def test_traditional_chinese_finds_the_concepts_and_focus_of_its_simplified_spelling(taxonomy):
    concepts = load_concepts()
    simplified = "公司生产锂离子电池单体和电池模组，用于电动大巴。"
    traditional = "公司生產鋰離子電池單體和電池模組，用於電動大巴。"  # as a Big5 export writes it
    assert concepts.find(simplified) and concepts.find(traditional) == concepts.find(simplified)
    assert concepts.outermost(traditional) == concepts.outermost(simplified)
    assert taxonomy.infer_focus(traditional) == taxonomy.infer_focus(simplified) != ()
    assert concepts.find("Köln") == []  # text without Chinese characters is matched as it is
