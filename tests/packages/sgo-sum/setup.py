from setuptools import Extension, setup

setup(
    name="sgo-sum",
    version="1.0",
    ext_modules=[Extension("sum", ["sum.go"])],
    build_golang={"root": "example.com/sgo/sum"},
)
