"""The district education office's dashboard: interests next to supply, as pages (/district), a
quarterly PDF report and downloads, on the k-anonymous statistics of api/monitoring; and the demo
signals that make it meaningful on a fresh install (docs/dashboard.md)."""
