"""Streamlit's own words in the reader's language.

Streamlit writes some texts of its widgets in English with no option to change them: the uploader's
"Upload" button and "50MB per file", the dropdowns' "No results" and "Select all", the chart toolbar's
"Show data" and "Download as PNG", the hidden "Skip to main content" link, aria labels. The catalogue
section ``streamlit`` holds them: its English entries are Streamlit's texts exactly (``{name}`` marks
a changing part), the German and Chinese entries their translations. :func:`translate_streamlit_texts`
puts a small script into the page that replaces those texts (text nodes and the ``aria-label``,
``title`` and ``placeholder`` attributes) as Streamlit draws them, and restores the English ones when
the reader switches to English. Nothing is loaded from anywhere; the script is this module's.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from matchmaker.i18n import catalogue
from matchmaker.vocab import Language

SECTION = "streamlit."
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

_SCRIPT = """
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const host = doc.defaultView || window;
  host.__isaTexts = %(texts)s;
  const ATTRIBUTES = ["aria-label", "title", "placeholder"];
  function translate(source) {
    const texts = host.__isaTexts;
    const trimmed = source.trim();
    if (!trimmed) return source;
    if (Object.prototype.hasOwnProperty.call(texts.exact, trimmed)) {
      return source.replace(trimmed, texts.exact[trimmed]);
    }
    for (const [pattern, template] of texts.patterns) {
      const match = trimmed.match(new RegExp(pattern));
      if (match) return source.replace(trimmed, template.replace(/\\$(\\d)/g, (_, i) => match[Number(i)]));
    }
    return source;
  }
  function text(node) {
    const current = node.nodeValue;
    const source = current === node.__isaWritten ? node.__isaSource : current;
    const wanted = translate(source);
    node.__isaSource = source;
    node.__isaWritten = wanted;
    if (wanted !== current) node.nodeValue = wanted;
  }
  function attributes(element) {
    element.__isaAttributes = element.__isaAttributes || {};
    for (const name of ATTRIBUTES) {
      const current = element.getAttribute(name);
      if (current === null) continue;
      const seen = element.__isaAttributes[name];
      const source = seen && current === seen[1] ? seen[0] : current;
      const wanted = translate(source);
      element.__isaAttributes[name] = [source, wanted];
      if (wanted !== current) element.setAttribute(name, wanted);
    }
  }
  function walk(node) {
    if (node.nodeType === 3) { text(node); return; }
    if (node.nodeType !== 1 || node.tagName === "SCRIPT" || node.tagName === "STYLE") return;
    attributes(node);
    for (const child of node.childNodes) walk(child);
  }
  walk(doc.body);
  if (!host.__isaObserver) {
    host.__isaObserver = new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        if (mutation.type === "characterData") text(mutation.target);
        else if (mutation.type === "attributes") attributes(mutation.target);
        else mutation.addedNodes.forEach(walk);
      }
    });
    host.__isaObserver.observe(doc.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
    });
  }
})();
</script>
"""


def streamlit_texts(language: Language) -> dict[str, object]:
    """Streamlit's English texts and their translations into ``language``: ``exact`` (text ->
    translation) and ``patterns`` (regular expression over the whole text, template with ``$1`` …)."""
    english, wanted = catalogue("en"), catalogue(language)
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for key, source in english.items():
        if not key.startswith(SECTION):
            continue
        target = wanted.get(key, source)
        names = _PLACEHOLDER.findall(source)
        if not names:
            exact[source] = target
            continue
        regex = "^" + _PLACEHOLDER.sub("(.+?)", re.escape(source).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        template = _PLACEHOLDER.sub(lambda m, names=names: f"${names.index(m.group(1)) + 1}", target)
        patterns.append((regex, template))
    return {"exact": exact, "patterns": patterns}


def translate_streamlit_texts(language: Language) -> None:
    """Put the translating script into the page (see the module's description)."""
    texts = json.dumps(streamlit_texts(language), ensure_ascii=False).replace("</", "<\\/")
    st.html(_SCRIPT % {"texts": texts}, unsafe_allow_javascript=True)
