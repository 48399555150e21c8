import { imageInfo } from './image';
import { checkImageFolders, imageFolderOf, imageFolders } from './imageFolder';
import { testJpeg, testPng } from './testImages';

describe('imageInfo', () => {
  it('reads the size of PNG and JPEG images', () => {
    expect(imageInfo('a.png', testPng(4, 3))).toEqual({
      format: 'png',
      width: 4,
      height: 3,
    });
    expect(imageInfo('b.JPG', testJpeg(5, 7))).toEqual({
      format: 'jpeg',
      width: 5,
      height: 7,
    });
    // From the first bytes only.
    expect(
      imageInfo('a.png', testPng(9, 2).subarray(0, 40), true),
    ).toMatchObject({ width: 9, height: 2 });
  });

  const png = testPng();
  const corrupt = Buffer.from(png);
  corrupt[42] ^= 0xff; // inside the IDAT data
  const jpeg = testJpeg();
  it.each([
    [
      'a.png',
      Buffer.from('text'),
      "Image 'a.png' is not a PNG file (wrong signature)",
    ],
    [
      'a.png',
      png.subarray(0, png.length - 12),
      'the file ends before the IEND chunk',
    ],
    ['a.png', png.subarray(0, 45), 'runs past the end of the file'],
    ['a.png', corrupt, 'is corrupt (CRC mismatch)'],
    ['a.png', png.subarray(0, 20), 'truncated or missing PNG header (IHDR)'],
    ['a.jpg', png, "Image 'a.jpg' is not a JPEG file (wrong signature)"],
    [
      'a.jpg',
      jpeg.subarray(0, jpeg.length - 2),
      'the end-of-image marker (EOI) is missing',
    ],
    ['a.jpg', jpeg.subarray(0, 30), 'the file ends inside its headers'],
  ])('refuses %s: %s', (name, bytes, message) => {
    expect(() => imageInfo(name, bytes)).toThrow(message);
  });
});

describe('image folders', () => {
  const paths = [
    'train/cats/1.png',
    'train/cats/2.png',
    'train/dogs/1.jpg',
    'test/cats/1.png',
    'test/dogs/1.png',
    'labels.csv',
  ];

  it('groups images by the folder above their class folders', () => {
    expect(
      imageFolders(paths).map(f => [f.root, Object.fromEntries(f.classes)]),
    ).toEqual([
      ['test', { cats: ['test/cats/1.png'], dogs: ['test/dogs/1.png'] }],
      [
        'train',
        {
          cats: ['train/cats/1.png', 'train/cats/2.png'],
          dogs: ['train/dogs/1.jpg'],
        },
      ],
    ]);
    expect(imageFolderOf('train/dogs/1.jpg', paths)).toMatchObject({
      folder: { root: 'train' },
      className: 'dogs',
    });
    expect(imageFolderOf('labels.csv', paths)).toBeUndefined();
    expect(() => checkImageFolders('upload', paths)).not.toThrow();
    expect(() =>
      checkImageFolders('upload', ['a.csv', 'b/c.csv']),
    ).not.toThrow();
  });

  it.each([
    [
      ['cats/1.png', 'dogs/1.png', '2.png'],
      "image '2.png' is outside a class folder",
    ],
    [
      ['train/cats/1.png', 'train/dogs/1.png', 'train/x.png'],
      "image 'train/x.png' is outside a class folder: 'train' holds the class folders 'cats', 'dogs'",
    ],
    [['cats/1.png', 'cats/2.png'], "the images have a single class 'cats'"],
    [
      ['a/cats/1.png', 'a/dogs/1.png', 'b/cats/1.png'],
      "image folder 'b' has a single class 'cats'",
    ],
  ])('refuses %j', (files, message) => {
    expect(() => checkImageFolders('Zip archive', files)).toThrow(
      `Zip archive: ${message}`,
    );
  });
});
