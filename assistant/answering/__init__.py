"""The Assistant, its Response and conversations; citations and grounding; the answerers behind one Protocol."""
