"""A realistic synthetic Lao population, from 1,000 to 7.5 million people (`pakan synth`).

Entry points: pakan.synth.population.write_people_csv (the registry exchange file) and
pakan.synth.population.villages_for (the villages it uses). The parts: demography (targets and
life table), households (who lives with whom), villages (where), name_lists and romanise (Lao
names and their Latin spelling), variants (near-duplicate spellings).
"""
