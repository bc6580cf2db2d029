"""dossier: turn saved news articles and YAML annotations into an annotated source dossier."""
