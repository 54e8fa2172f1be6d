"""Each API test names the schema operation(s) it exercises: `@covers("cases_list")`. The schema
test reads these names from the test modules' source and fails when an operation of the generated
schema has no test."""


def covers(*operation_ids):
    def mark(func):
        func.covers = operation_ids
        return func

    return mark
