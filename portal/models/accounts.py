from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
    """Users log in with their e-mail address; there is no separate user name."""

    def _create_user(self, username=None, email=None, password=None, **extra_fields):
        email = self.normalize_email(email or username)
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email=email, password=password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email=email, password=password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("电子邮箱"), unique=True)
    full_name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    # A partner-agency user belongs to exactly one agency.
    agency = models.ForeignKey(
        "portal.PartnerAgency",
        verbose_name=_("所属协助单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # A workstation user belongs to one workstation of the service network.
    service_point = models.ForeignKey(
        "portal.ServicePoint",
        verbose_name=_("所属服务工作站"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["full_name"]
        # The admin's user list, in its order (Django adds the key, descending): the first page read
        # off the index instead of sorting every user by name.
        indexes = [models.Index(fields=["full_name", "-id"], name="user_name_id")]

    # What __str__ reads: all that a list of other rows needs of the user it names (admin_lists).
    name_fields = ("full_name", "email")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name


class DeputyDirector(models.Model):
    """A deputy director and their place in the rotation that chairs joint meetings.

    The rotation order is kept here rather than in the group so that a deputy who
    leaves keeps their history (left_on) and a new one can be slotted in.
    """

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="deputy_post", verbose_name=_("副主任"))
    post_title = models.CharField(_("职务名称"), max_length=50, default=_("副主任"))
    rotation_order = models.PositiveSmallIntegerField(_("轮值顺序"))
    active = models.BooleanField(_("在岗"), default=True)
    joined_on = models.DateField(_("任职日期"))
    left_on = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("副主任（轮值顺序）")
        verbose_name_plural = _("副主任（轮值顺序）")
        ordering = ["rotation_order"]

    def __str__(self):
        return f"{self.rotation_order}. {self.user}"

    def serves_on(self, day):
        """Whether this deputy is in post on the given date."""
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)
