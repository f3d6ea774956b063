"""Dutch replacement names for pseudonyms that read as names (``style="names"``): common
first names by gender and common family names, a list of qualcode's own, chosen so that no
one is recognisable by them. A name that occurs in the interviews themselves is never used."""

from __future__ import annotations

MEN = (
    "Bas Bert Bram Daan Dirk Erik Frank Gerard Gijs Hans Harm Jaap Jelle Joost Jos Kees Koen "
    "Lars Leo Luuk Maarten Martijn Niels Olaf Paul Pieter Rik Rob Roel Ruben Sander Stefan "
    "Teun Thijs Tom Twan Vincent Wouter Youri Arjen Bart Chris Dennis Edwin Gert Hugo Ivo Jurre"
).split()
WOMEN = (
    "Anke Anna Annelies Bea Carla Daphne Eva Femke Fleur Gerda Hanna Ilona Inge Iris Jet Joke "
    "Karin Laura Lies Linda Lisa Maaike Manon Mirjam Nienke Noor Petra Renske Rian Roos Saskia "
    "Sofie Tessa Tineke Ellis Vera Wendy Yvonne Zoë Agnes Bo Corrie Dieuwke Esther Gea Hester"
).split()
SURNAMES = (
    "Visser Smit Mulder Bos Vos Peters Hendriks Dekker Brouwer Dijkstra Jacobs Vermeulen "
    "Kok Schouten Willems Hoekstra Koster Prins Huisman Peeters Kramer Timmermans Postma "
    "Groen Veenstra Bosman Wolters Kuipers Blom Verbeek Maas Boer Meijer Hofman Molenaar "
    "Lammers Wijnen Stam Verhoeven Mertens Driessen Bakx Hoogland Roos Sluiter"
).split()
