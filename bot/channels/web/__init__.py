"""The website chat widget: a custom element <berufslotse-chat> (JavaScript in src/, built with
esbuild into dist/) and a small stdlib server for its demo page (serve.py)."""
