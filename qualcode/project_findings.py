"""The findings half of the :class:`~qualcode.project.Project` facade: agreement,
mechanisms, evidence, topics and exports, as one-line delegations (a mixin, so that each
facade module stays short; ``Project`` is the one class users see)."""

from __future__ import annotations

from pathlib import Path

from qualcode import defaults


class FindingsFacade:
    """Analyses and exports of a project; mixed into :class:`~qualcode.project.Project`."""

    _db: object  # the project's Database, set by Project

    # -- agreement, mechanisms, topics (qualcode.analysis) ----------------------------------------

    def agreement(self, coders: list[str], unit: str | None = None):
        """Percent agreement, Cohen's kappa (two coders), Krippendorff's alpha, Gwet's AC1 and
        PABAK per code and overall, over all segments and over coded ones, with the disagreements. ``machine``
        stands for the latest suggestions. See :mod:`qualcode.analysis.agreement`."""
        from qualcode.analysis.agreement import agreement

        return agreement(self._db, coders, unit)

    def cooccurrence(
        self,
        scope: str = "segment",
        window: int = defaults.WINDOW,
        include: str = "reviewed",
        unit: str | None = None,
    ):
        """Code co-occurrence per segment (of ``unit``, default the active one), turn or window
        of ``window`` segments: counts and Jaccard."""
        from qualcode.analysis.mechanisms import cooccurrence
        from qualcode.analysis.snapshot import read_snapshot

        return cooccurrence(read_snapshot(self._db, include, unit), scope=scope, window=window)

    def cmo_configurations(
        self, scope: str = "turn", include: str = "reviewed", window: int = defaults.WINDOW
    ):
        """Context-mechanism-outcome configurations per segment, turn or window of ``window``
        segments, with their support per case."""
        from qualcode.analysis.mechanisms import cmo_configurations
        from qualcode.analysis.snapshot import read_snapshot

        return cmo_configurations(read_snapshot(self._db, include), scope=scope, window=window)

    def framework_matrix(self, include: str = "reviewed"):
        """Cases x codes: counts and quotes, with each case's roles and attributes."""
        from qualcode.analysis.mechanisms import framework_matrix
        from qualcode.analysis.snapshot import read_snapshot

        return framework_matrix(read_snapshot(self._db, include))

    def evidence_tables(self, kinds=("mechanism", "bottleneck"), include: str = "reviewed", quotes: int = 3):
        """Per mechanism and bottleneck: numbers, groups, quotes, counter-evidence, provenance."""
        from qualcode.analysis.evidence import evidence_tables
        from qualcode.analysis.snapshot import read_snapshot

        return evidence_tables(read_snapshot(self._db, include), kinds=kinds, quotes=quotes)

    def topics(self, mode: str = "quick", n_topics: int = 8, seed: int = 1, progress=None, **options):
        """Run BERTopic over the segments and store the topics (see :mod:`qualcode.analysis.topics`;
        ``progress(done, total, stage)`` is told as each stage starts)."""
        from qualcode.analysis.topics import run_topics

        return run_topics(self._db, mode=mode, n_topics=n_topics, seed=seed, progress=progress, **options)

    def topic_overview(self, run_id: int | None = None):
        """The topics of a topic run (the latest by default), with words, sizes and examples."""
        from qualcode.analysis.topics import topic_overview

        return topic_overview(self._db, run_id)

    def promote_topic(self, topic: int, name: str, run_id: int | None = None) -> str:
        """Turn a topic into a draft code whose examples are its representative segments."""
        from qualcode.analysis.topics import promote_topic

        return promote_topic(self._db, topic, name, run_id)

    # -- exports (qualcode.export, qualcode.refi) --------------------------------------------------

    def export(
        self, fmt: str, path: str | Path, include: str = "reviewed", coder: str | None = None,
        consensus: bool = False, progress=None,
    ):  # fmt: skip
        """Write findings as csv (a folder), xlsx, html, md, a REFI-QDA .qdpx project or a .qdc
        codebook; the export is recorded as a run (format, path, what counted, versions).
        The findings count reviewed codings: everyone's, ``coder``'s only, or with ``consensus``
        only those the coders agree on (the disagreements listed); ``include="all"`` lists the
        unreviewed suggestions apart. Returns the file written (for csv: the list of files);
        ``progress(done, total, stage)`` is told as each stage starts."""
        from qualcode.export import export_findings

        return export_findings(self._db, fmt, path, include, coder, consensus, progress)
