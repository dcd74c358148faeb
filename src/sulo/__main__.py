from sulo.cli import app

app(prog_name="sulo")
