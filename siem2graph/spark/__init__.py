"""The audit on Spark (``engine.audit_spark``): pyspark is optional, imported only when used."""
