"""The live simulation view: KPI tiles, alarms, canvas overlays and injected events."""
