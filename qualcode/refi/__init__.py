"""REFI-QDA, the interchange standard of NVivo, ATLAS.ti and MAXQDA: codebooks and whole projects.

- :mod:`~qualcode.refi.xml`: namespaces, the GUIDs qualcode writes, safe parsing, serialising.
- :mod:`~qualcode.refi.codebook`: ``.qdc`` write and read, ``.qdpx`` codebook read, with
  :mod:`~qualcode.refi.description` (a code's fields in its one ``Description``).
- :mod:`~qualcode.refi.project_export`: the whole project as a ``.qdpx``.
- :mod:`~qualcode.refi.project_import`: a ``.qdpx`` into the project, with
  :mod:`~qualcode.refi.archive` (its files), :mod:`~qualcode.refi.positions` (selection offsets
  through normalising) and :mod:`~qualcode.refi.case_import` (cases and variables).
- :mod:`~qualcode.refi.speakers`: the description lines naming a case's speakers and the
  roles of a source's speakers.
- :mod:`~qualcode.refi.counter`: counter-evidence flags, carried as the code
  ``Tegenbewijs (qualcode counter-evidence)`` on the same selection.
- :mod:`~qualcode.refi.cmoc_sets`: realist CMOCs, each a ``Set`` of its codes with its fields
  in the set's description.
"""
