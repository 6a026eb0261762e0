"""Places: the municipalities of the Ausbildungsregion Osnabrück."""
