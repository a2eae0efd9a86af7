"""Focus sectors: each year's named sets of DB07 industry-code prefixes, and matching companies to them."""
