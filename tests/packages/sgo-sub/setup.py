from setuptools import Extension, find_packages, setup

setup(
    name="sgo-sub",
    version="1.0",
    packages=find_packages(),
    ext_modules=[
        Extension("sum_sub_package.sum", ["sum_sub_package/sum.go"], py_limited_api=True),
    ],
    build_golang={"root": "example.com/sgo/sub", "strip": False},
)
