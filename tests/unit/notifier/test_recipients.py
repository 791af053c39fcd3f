from services.notifier.domain import recipients
from services.notifier.domain.mail import Person
from tests.unit.notifier.fakes import PHU_LOC

OFFICE = Person("Văn phòng Tỉnh ủy", "vanphong@tinhuy.example.vn")


def test_a_reminder_goes_to_each_contact_of_the_unit_addressed_to_that_contact_alone():
    deliveries = recipients.unit_contacts(PHU_LOC)
    assert [d.recipient for d in deliveries] == ["vanphong.xaphuloc@example.vn", "bithu.xaphuloc@example.vn"]
    assert all(len(d.to) == 1 and d.to[0].email == d.recipient and d.cc == () for d in deliveries)


def test_an_escalation_goes_to_the_supervisors_with_the_office_copied_as_its_own_delivery():
    deliveries = recipients.escalation(PHU_LOC, OFFICE)
    assert [d.recipient for d in deliveries] == ["ptlan@tanphu.example.vn", "vanphong@tinhuy.example.vn"]
    assert all(d.to == PHU_LOC.supervisors and d.cc == (OFFICE,) for d in deliveries)


def test_an_office_that_is_also_a_supervisor_gets_one_mail_not_two():
    unit = PHU_LOC.__class__(**{**PHU_LOC.__dict__, "supervisors": (Person("Chánh Văn phòng", "VanPhong@tinhuy.example.vn"),)})
    deliveries = recipients.escalation(unit, OFFICE)
    assert [d.recipient for d in deliveries] == ["vanphong@tinhuy.example.vn"]


def test_an_escalation_for_a_unit_without_supervisors_is_addressed_to_the_office():
    unit = PHU_LOC.__class__(**{**PHU_LOC.__dict__, "supervisors": ()})
    [delivery] = recipients.escalation(unit, OFFICE)
    assert delivery.to == (OFFICE,) and delivery.cc == ()


def test_a_contact_listed_twice_with_different_case_is_mailed_once():
    people = [Person("A", "A@x.vn"), Person("A again", "a@x.vn")]
    assert [d.recipient for d in recipients.each_alone(people)] == ["a@x.vn"]


def test_a_rejection_without_a_submitter_email_has_nobody_to_write_to():
    assert recipients.submitter(None) == []
    assert recipients.submitter(Person("Lê Thị B", "")) == []
