import factory
from factory.django import DjangoModelFactory

from departments.models import Delegation, Department, Membership, Skill, User

PASSWORD = "test-pass-123"  # noqa: S105


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Membership.Role.MEMBER
    is_primary = True


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"技能{n}")
    name_en = factory.Sequence(lambda n: f"Skill {n}")


class DelegationFactory(DjangoModelFactory):
    class Meta:
        model = Delegation

    delegator = factory.SubFactory(UserFactory)
    delegate = factory.SubFactory(UserFactory)
    starts_on = factory.Faker("date_this_year")
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
