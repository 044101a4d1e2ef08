from setuptools import Extension, setup

setup(
    name="sgo-ft",
    version="1.0",
    ext_modules=[Extension("ftsum", ["ftsum.go"])],
    build_golang={"root": "example.com/sgo/ftsum"},
)
