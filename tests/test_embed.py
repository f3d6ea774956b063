"""Embedders: the TF-IDF/LSA default and sentence-transformers from a local folder."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy
import pytest

from qualcode.embed import (
    EMBEDDERS,
    Embedder,
    SentenceTransformerEmbedder,
    TfidfLsaEmbedder,
    make_embedder,
)
from qualcode.embed.stopwords import DUTCH_STOP_WORDS
from qualcode.embed.tfidf import TOKEN_PATTERN
from qualcode.errors import MissingDependencyError, QualcodeError
from tests.conftest import REPO

NETWORK = [
    "de steungroep van mijn naaste hielp mij echt",
    "mijn naaste kwam elke week naar de steungroep",
    "in de steungroep voelde de naaste zich gesteund",
]
HOUSING = [
    "ik sta al twee jaar op de wachtlijst voor een woning",
    "de wachtlijst voor een sociale woning is heel lang",
    "zonder woning blijf je op de wachtlijst staan",
]
# Two themes; within a theme some texts share no word with each other, only neighbours.
THEMES = {
    "network": [
        "steungroep naaste",
        "steungroep naaste netwerk",
        "naaste netwerk familie",
        "netwerk familie",
        "familie steungroep",
        "netwerk familie naaste steungroep",
    ],
    "housing": [
        "woning wachtlijst",
        "woning wachtlijst huur",
        "wachtlijst huur gemeente",
        "huur gemeente",
        "gemeente woning",
        "huur gemeente wachtlijst woning",
    ],
}


def cosine_matrix(vectors):
    return vectors @ vectors.T


def assert_unit_rows(vectors):
    assert vectors.dtype == numpy.float32
    numpy.testing.assert_allclose(numpy.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --- TF-IDF / LSA --------------------------------------------------------------------------


# 256: plain TF-IDF (the vocabulary is smaller); 2: LSA, one dimension per theme
@pytest.mark.parametrize(("n_components", "margin"), [(256, 0.1), (2, 0.9)])
def test_tfidf_shape_normalisation_and_similarity(n_components, margin):
    texts = NETWORK + HOUSING
    embedder = TfidfLsaEmbedder(n_components=n_components).fit(texts)
    vectors = embedder.embed(texts)

    assert vectors.shape == (6, embedder.dim_)
    assert (embedder.projection_ is None) == (n_components == 256)
    if n_components == 2:
        assert embedder.dim_ == 2
    assert_unit_rows(vectors)
    similarity = cosine_matrix(vectors)
    within = [similarity[i, j] for block in (range(3), range(3, 6)) for i in block for j in block if i < j]
    across = [similarity[i, j] for i in range(3) for j in range(3, 6)]
    assert min(within) > max(across) + margin, (within, across)


def test_lsa_brings_texts_with_shared_neighbours_together():
    texts = THEMES["network"] + THEMES["housing"]
    embedder = TfidfLsaEmbedder(n_components=2).fit(texts)
    query = embedder.embed(["steungroep naaste", "netwerk familie", "huur gemeente"])
    plain = TfidfLsaEmbedder(n_components=256).fit(texts).embed(["steungroep naaste", "netwerk familie"])

    assert float(plain[0] @ plain[1]) == pytest.approx(0.0)  # no word in common
    assert float(query[0] @ query[1]) > 0.9  # but the same theme
    assert float(query[0] @ query[2]) < 0.3


def test_tfidf_is_deterministic_with_a_seed():
    texts = NETWORK + HOUSING + THEMES["network"] + THEMES["housing"]
    first = TfidfLsaEmbedder(n_components=5, random_state=7).fit(texts).embed(texts)
    second = TfidfLsaEmbedder(n_components=5, random_state=7).fit(texts).embed(texts)
    numpy.testing.assert_array_equal(first, second)


def test_fit_embed_equals_fit_then_embed():
    texts = NETWORK + HOUSING + THEMES["network"]
    together = TfidfLsaEmbedder(n_components=5).fit_embed(texts)
    apart = TfidfLsaEmbedder(n_components=5).fit(texts).embed(texts)
    numpy.testing.assert_allclose(together, apart, atol=1e-5)


@pytest.mark.parametrize(
    "texts", [["steungroep naaste"], ["steungroep naaste", "woning wachtlijst"], NETWORK]
)
def test_tiny_corpora_fall_back_to_tfidf(texts):
    embedder = TfidfLsaEmbedder()
    vectors = embedder.fit(texts).embed(texts)
    assert embedder.projection_ is None
    assert vectors.shape == (len(texts), len(embedder.vectorizer_.vocabulary_))
    assert_unit_rows(vectors)
    if len(texts) == 2:  # nothing in common: orthogonal, not all equal
        assert float(vectors[0] @ vectors[1]) == pytest.approx(0.0)


def test_vocabulary_of_one_word():
    embedder = TfidfLsaEmbedder().fit(["naaste", "de naaste", "het naaste en"])
    assert list(embedder.vectorizer_.vocabulary_) == ["naaste"]
    vectors = embedder.embed(["naaste", "woning"])
    assert vectors.shape == (2, 1)
    assert vectors[0, 0] == pytest.approx(1.0)
    assert vectors[1, 0] == 0.0  # nothing known: a zero row, similar to nothing


def test_lsa_dimension_is_capped_by_the_corpus():
    texts = THEMES["network"] + THEMES["housing"]
    embedder = TfidfLsaEmbedder(n_components=5).fit(texts + texts)  # 24 texts, 12 distinct
    assert embedder.projection_ is not None
    assert embedder.dim_ == 5
    embedder = TfidfLsaEmbedder(n_components=20, ngram_range=(1, 3)).fit(texts + texts)
    assert embedder.dim_ <= 12  # repeated texts add no dimension
    assert_unit_rows(embedder.embed(texts))


def test_dutch_stop_words_are_removed():
    texts = ["de naaste van het netwerk en ik", "een woning die niet komt"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. scikit-learn's stop-word consistency warning
        vocabulary = set(TfidfLsaEmbedder(ngram_range=(1, 1)).fit(texts).vectorizer_.vocabulary_)
    assert vocabulary == {"naaste", "netwerk", "woning", "komt"}
    kept = set(TfidfLsaEmbedder(ngram_range=(1, 1), stop_words=None).fit(texts).vectorizer_.vocabulary_)
    assert {"de", "het", "en", "ik", "een", "die", "niet"} <= kept


def test_bigrams_skip_stop_words():
    embedder = TfidfLsaEmbedder().fit(["steun van de naaste", "hulp bij de woning"])
    assert "steun naaste" in embedder.vectorizer_.vocabulary_


def test_english_and_custom_stop_words():
    english = TfidfLsaEmbedder(ngram_range=(1, 1), stop_words="english").fit(["the network of the client"])
    assert set(english.vectorizer_.vocabulary_) == {"network", "client"}
    custom = TfidfLsaEmbedder(ngram_range=(1, 1), stop_words=["Netwerk"]).fit(["de netwerk naaste"])
    assert set(custom.vectorizer_.vocabulary_) == {"de", "naaste"}


def test_dutch_stop_word_list():
    assert 150 <= len(DUTCH_STOP_WORDS) <= 250
    assert {"de", "het", "een", "en", "van", "ik", "je", "dat", "die", "niet"} <= DUTCH_STOP_WORDS
    # domain words stay, even frequent ones
    assert not {"naaste", "naast", "alleen", "samen", "hulp", "woning", "netwerk"} & DUTCH_STOP_WORDS
    import re

    for word in DUTCH_STOP_WORDS:  # each one survives the tokenizer as itself
        assert word == word.lower() and re.fullmatch(TOKEN_PATTERN, word), word


def test_punctuation_tokens_are_ignored_and_short_words_kept():
    embedder = TfidfLsaEmbedder(ngram_range=(1, 1), stop_words=None).fit(["ex-partner , x . z'n ?"])
    assert set(embedder.vectorizer_.vocabulary_) == {"ex-partner", "x", "z'n"}


def test_only_stop_words_is_an_error():
    with pytest.raises(QualcodeError, match="stop_words=None"):
        TfidfLsaEmbedder().fit(["de het een", "en van ik"])


def test_embed_before_fit():
    with pytest.raises(QualcodeError, match="call fit first"):
        TfidfLsaEmbedder().embed(["naaste"])


def test_bad_input_and_options():
    with pytest.raises(QualcodeError, match=r"wrap a single text as \[text\]"):
        TfidfLsaEmbedder().fit("steungroep naaste")
    with pytest.raises(QualcodeError, match="text 1 is a int"):
        TfidfLsaEmbedder().fit(["naaste", 3])
    with pytest.raises(QualcodeError, match="no texts"):
        TfidfLsaEmbedder().fit([])
    with pytest.raises(QualcodeError, match="unknown stop word list 'german'; choose one of dutch"):
        TfidfLsaEmbedder(stop_words="german").fit(NETWORK)
    with pytest.raises(QualcodeError, match="n_components must be"):
        TfidfLsaEmbedder(n_components=0).fit(NETWORK)
    # a wrong option is reported, not silently replaced by the tiny-corpus fallback
    with pytest.raises(QualcodeError, match="invalid option.*min_df"):
        TfidfLsaEmbedder(min_df=-1).fit(NETWORK)


def test_embed_no_texts():
    embedder = TfidfLsaEmbedder(n_components=3).fit(NETWORK + HOUSING)
    assert embedder.embed([]).shape == (0, 3)


def test_config_is_json_and_repeats_the_run():
    texts = NETWORK + HOUSING + THEMES["network"]
    embedder = TfidfLsaEmbedder(n_components=5, ngram_range=(1, 1), stop_words=["mijn"], random_state=3)
    config = json.loads(json.dumps(embedder.config()))
    assert config == {
        "n_components": 5,
        "min_df": 1,
        "max_df": 0.9,
        "ngram_range": [1, 1],
        "stop_words": ["mijn"],
        "sublinear_tf": True,
        "random_state": 3,
    }
    again = make_embedder(embedder.name, **config)
    numpy.testing.assert_array_equal(embedder.fit(texts).embed(texts), again.fit(texts).embed(texts))
    assert repr(embedder).startswith("TfidfLsaEmbedder(n_components=5, ")


def test_fit_and_embed_10000_segments():
    """A realistic size (benchmarks/suggest_speed.py times it: about 1 s here)."""
    rng = numpy.random.default_rng(0)
    vocabulary = numpy.array([f"woord{i}" for i in range(20000)])
    weights = 1.0 / numpy.arange(1, 20001) ** 1.05  # Zipf, as words in speech
    lengths = rng.integers(5, 31, size=10000)
    words = vocabulary[rng.choice(20000, size=int(lengths.sum()), p=weights / weights.sum())]
    ends = numpy.cumsum(lengths)
    texts = [" ".join(words[end - n : end]) for n, end in zip(lengths, ends, strict=True)]
    vectors = TfidfLsaEmbedder().fit(texts).embed(texts)
    assert vectors.shape == (10000, 256)
    assert_unit_rows(vectors)


# --- registry ------------------------------------------------------------------------------


def test_registry():
    assert dict(EMBEDDERS) == {
        "tfidf": TfidfLsaEmbedder,
        "sentence-transformers": SentenceTransformerEmbedder,
    }
    for name, cls in EMBEDDERS.items():
        assert issubclass(cls, Embedder) and cls.name == name and cls.version
    assert isinstance(make_embedder("tfidf", n_components=8), TfidfLsaEmbedder)


def test_make_embedder_errors():
    with pytest.raises(
        QualcodeError, match=r"^unknown embedder 'bert'; choose one of: sentence-transformers, tfidf$"
    ):
        make_embedder("bert")
    with pytest.raises(QualcodeError, match="has no option n_topics; its options are: n_components, min_df"):
        make_embedder("tfidf", n_topics=5)
    with pytest.raises(QualcodeError, match="needs the option model"):
        make_embedder("sentence-transformers")


def test_importing_embed_does_not_import_torch():
    code = (
        "import sys, qualcode.embed\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


# --- sentence-transformers -----------------------------------------------------------------

WORDS = (
    "de het een en van ik je dat die niet naaste steungroep netwerk familie vriend buurman "
    "hulp steun woning wachtlijst huur gemeente client begeleider team gesprek week jaar "
    "wonen helpen praten bellen samen alleen rust regie"
).split()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A tiny BERT sentence-transformers model, built and saved here: nothing is downloaded."""
    pytest.importorskip("sentence_transformers")
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # sentence-transformers before 5.4
        from sentence_transformers.models import Pooling, Transformer

    root = tmp_path_factory.mktemp("tiny-model")
    bert = root / "bert"
    bert.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS]
    (bert / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # from_pretrained reads vocab.txt in every transformers version; the constructor's
    # vocab_file argument is ignored by transformers 5, which would leave every word [UNK].
    tokenizer = transformers.BertTokenizerFast.from_pretrained(str(bert))
    assert tokenizer.convert_tokens_to_ids("steungroep") == vocab.index("steungroep")
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    transformers.BertModel(config).save_pretrained(str(bert))
    tokenizer.save_pretrained(str(bert))

    transformer = Transformer(str(bert))
    pooling = Pooling(32, "mean")
    saved = root / "sentence-model"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(saved))
    return saved


def test_sentence_transformer_embeds(tiny_model):
    embedder = make_embedder("sentence-transformers", model=str(tiny_model))
    assert embedder.fit(NETWORK) is embedder  # pretrained: nothing to learn
    vectors = embedder.embed(NETWORK + HOUSING)
    assert vectors.shape == (6, 32)
    assert embedder.dim_ == 32
    assert_unit_rows(vectors)
    assert not numpy.allclose(vectors[0], vectors[3])  # the words reach the model
    assert embedder.embed([]).shape == (0, 32)
    assert embedder.config() == {"model": str(tiny_model), "batch_size": 32, "device": "cpu"}


def test_sentence_transformer_is_deterministic(tiny_model):
    texts = NETWORK + HOUSING
    first = SentenceTransformerEmbedder(str(tiny_model), batch_size=2).embed(texts)
    second = SentenceTransformerEmbedder(str(tiny_model)).embed(texts)
    numpy.testing.assert_allclose(first, second, atol=1e-5)
    embedder = SentenceTransformerEmbedder(str(tiny_model))
    numpy.testing.assert_array_equal(embedder.embed(texts), embedder.embed(texts))


def test_sentence_transformer_loads_quietly(tiny_model, capfd):
    SentenceTransformerEmbedder(str(tiny_model)).embed(["naaste"])
    captured = capfd.readouterr()
    assert captured.out == "" and "Loading" not in captured.err


def test_sentence_transformer_never_downloads(tmp_path):
    for model in (str(tmp_path / "missing"), "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"):
        with pytest.raises(MissingDependencyError, match="give the local path of a saved model"):
            SentenceTransformerEmbedder(model).embed(["naaste"])


def test_sentence_transformer_folder_that_is_no_model(tmp_path):
    pytest.importorskip("sentence_transformers")
    with pytest.raises(QualcodeError, match="could not be loaded as a sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path)).embed(["naaste"])


def test_sentence_transformer_not_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(MissingDependencyError, match=r"pip install 'qualcode\[embeddings\]'"):
        SentenceTransformerEmbedder(str(tmp_path)).embed(["naaste"])


def test_semantic_suggester_with_a_local_sentence_transformers_model(tiny_model):
    """The --embedding-model path: the suggester reads raw text through the local model."""
    from qualcode.suggest import Labels, SegmentData, make_suggester
    from qualcode.suggest.base import CodeProfile

    code = CodeProfile(
        name="Steungroep",
        kind="context",
        definition="Steungroep. Een steungroep met familie en een vriend.",
        definition_lemmas="steungroep . een steungroep met familie en een vriend .",
        examples=("De steungroep met familie helpt.",),
        example_lemmas=("de steungroep met familie helpen .",),
    )
    segments = [SegmentData(i, "a", text, text.lower(), text.lower()) for i, text in enumerate(WORDS)]
    model = make_suggester("semantic", embedder="sentence-transformers", model=str(tiny_model))
    scored = model.fit([code], segments, Labels()).suggest(segments)
    assert model.config()["model"] == str(tiny_model)
    assert len(scored) == len(segments)
    reasons = [s["Steungroep"].rationale for s in scored if "Steungroep" in s]
    assert reasons and all(r.startswith("closest to its ") for r in reasons)
