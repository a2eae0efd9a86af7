"""Common Danish first and last names for the demo's people (a leaf: every domain's demo uses it)."""

FIRST = ["Anne", "Mette", "Lars", "Søren", "Jens", "Hanne", "Pia", "Henrik", "Camilla", "Mads",
         "Louise", "Thomas", "Birgitte", "Jesper", "Rikke", "Morten", "Sofie", "Mikkel", "Line", "Anders"]
LAST = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
        "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen"]
