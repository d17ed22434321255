"""The Gradio app: one module per tab, rendering apart from handlers."""
