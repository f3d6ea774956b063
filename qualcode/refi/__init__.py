"""REFI-QDA, the interchange standard of NVivo, ATLAS.ti and MAXQDA: codebooks and whole projects.

- :mod:`~qualcode.refi.xml`: namespaces, the GUIDs qualcode writes, safe parsing, serialising.
- :mod:`~qualcode.refi.codebook`: code descriptions; ``.qdc`` write and read, ``.qdpx`` codebook read.
- :mod:`~qualcode.refi.project_export`: the whole project as a ``.qdpx``.
- :mod:`~qualcode.refi.project_import`: a ``.qdpx`` into the project, with
  :mod:`~qualcode.refi.archive` (its files), :mod:`~qualcode.refi.positions` (selection offsets
  through normalising) and :mod:`~qualcode.refi.case_import` (cases and variables).
- :mod:`~qualcode.refi.speakers`: the case-description lines naming a case's speakers.
"""
