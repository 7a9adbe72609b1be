"""Files out: CSV, XLSX, JSON of the input, the høringsnotat (DOCX), the public report."""
